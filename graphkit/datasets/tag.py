"""Text-attributed graphs: node texts for language-model encoders, plus the graph.

A TAG directory holds::

    raw_texts.json           list of N strings, one per node (title, or "title: abstract")
    edge_index.npy           int [2, E] (made undirected and deduplicated on load)
    y.npy                    int [N] class ids in 0..C-1
    label_names.json         list of C class names ("Neural_Networks", "cs.LG", ...)
    split.json               optional: {"train": [...], "valid": [...], "test": [...]}
                             or a list of such dicts; default 10 random 60/20/20 splits
    label_descriptions.json  optional: list of C strings (or {name: text}) describing the
                             classes, used by zero-shot label texts

Every file is checked before use (:mod:`graphkit.datasets.tag_files`): ``.npy`` files are
never unpickled, JSON must be UTF-8, ids must be whole numbers in range, ``y`` must fit
``label_names``, each split needs test nodes; a problem is one line naming the file, the item
and what was expected.

:func:`load_tag_directory` reads any such directory; ``graphkit zeroshot --dataset DIR``
and ``data.sources: [DIR]`` take one as a path, no code change needed. Texts go to
``extra['raw_texts']``, label names to ``extra['label_names']``, descriptions (when
present) to ``extra['label_descriptions']``; there is no ``x`` (``num_features == 0``):
a text encoder makes the features later (:mod:`graphkit.text`).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from graphkit.datasets.checksums import known_file
from graphkit.datasets.dataset_spec import DatasetSpec
from graphkit.datasets.load_context import LoadContext
from graphkit.datasets.loaded_dataset import NODE_CLASSIFICATION, LoadedDataset
from graphkit.errors import DatasetError

if TYPE_CHECKING:
    import torch

TAG_FILES = ("raw_texts.json", "edge_index.npy", "y.npy", "label_names.json")
ARXIV_URL = ("https://raw.githubusercontent.com/TRAIS-Lab/LLM-Structured-Data/"
             "6a25eca725b44fe95eea25dc5e69f32765244896/dataset/arxiv_2023")
_ARXIV_FILES = ("raw/edges.csv.gz", "raw/ids.csv.gz", "raw/labels.csv.gz", "raw/titles.csv.gz",
                "split/train.csv.gz", "split/valid.csv.gz", "split/test.csv.gz")


# arXiv's own names of its CS categories (https://arxiv.org/category_taxonomy): the
# codes alone ("cs.LG") carry little meaning for a text encoder.
ARXIV_CS_NAMES = {
    "cs.AI": "artificial intelligence", "cs.AR": "hardware architecture",
    "cs.CC": "computational complexity", "cs.CE": "computational engineering, finance, and science",
    "cs.CG": "computational geometry", "cs.CL": "computation and language",
    "cs.CR": "cryptography and security", "cs.CV": "computer vision and pattern recognition",
    "cs.CY": "computers and society", "cs.DB": "databases",
    "cs.DC": "distributed, parallel, and cluster computing", "cs.DL": "digital libraries",
    "cs.DM": "discrete mathematics", "cs.DS": "data structures and algorithms",
    "cs.ET": "emerging technologies", "cs.FL": "formal languages and automata theory",
    "cs.GL": "general literature", "cs.GR": "graphics", "cs.GT": "computer science and game theory",
    "cs.HC": "human-computer interaction", "cs.IR": "information retrieval",
    "cs.IT": "information theory", "cs.LG": "machine learning", "cs.LO": "logic in computer science",
    "cs.MA": "multiagent systems", "cs.MM": "multimedia", "cs.MS": "mathematical software",
    "cs.NA": "numerical analysis", "cs.NE": "neural and evolutionary computing",
    "cs.NI": "networking and internet architecture", "cs.OH": "other computer science",
    "cs.OS": "operating systems", "cs.PF": "performance", "cs.PL": "programming languages",
    "cs.RO": "robotics", "cs.SC": "symbolic computation", "cs.SD": "sound",
    "cs.SE": "software engineering", "cs.SI": "social and information networks",
    "cs.SY": "systems and control",
}


def tag_dataset(name: str, texts: list[str], edge_index: torch.Tensor, y: torch.Tensor,
                label_names: list[str], splits: list[dict[str, torch.Tensor]] | None = None,
                metric: str = "accuracy",
                label_descriptions: list[str] | None = None) -> LoadedDataset:
    """Assembles a TAG :class:`LoadedDataset`; edges are made undirected and deduplicated.
    Without ``splits``, 10 seeded random 60/20/20 splits (TAPE's protocol for Cora)."""
    from torch_geometric.data import Data
    from torch_geometric.utils import coalesce, to_undirected

    from graphkit.datasets.splits import random_splits

    num_nodes = len(texts)
    if num_nodes == 0:
        raise DatasetError(f"{name}: no nodes (no texts)")
    if y.numel() != num_nodes:
        raise DatasetError(f"{name}: {len(texts)} texts but {y.numel()} labels")
    if edge_index.numel() and (int(edge_index.max()) >= num_nodes or int(edge_index.min()) < 0):
        bad = int(edge_index.max()) if int(edge_index.max()) >= num_nodes else int(edge_index.min())
        raise DatasetError(f"{name}: edge_index refers to node {bad} "
                           f"but there are {num_nodes} texts (ids 0..{num_nodes - 1})")
    if y.numel() and (int(y.min()) < 0 or int(y.max()) >= len(label_names)):
        raise DatasetError(f"{name}: class ids {int(y.min())}..{int(y.max())} but {len(label_names)} "
                           f"label names (ids 0..{len(label_names) - 1})")
    if label_descriptions is not None and len(label_descriptions) != len(label_names):
        raise DatasetError(f"{name}: {len(label_descriptions)} label descriptions for "
                           f"{len(label_names)} classes")
    edge_index = coalesce(to_undirected(edge_index.long(), num_nodes=num_nodes), num_nodes=num_nodes)
    data = Data(edge_index=edge_index, y=y.long().view(-1), num_nodes=num_nodes)
    return LoadedDataset(
        name=name, task=NODE_CLASSIFICATION, metric=metric, data=data,
        splits=splits if splits else random_splits(num_nodes),
        num_features=0, num_classes=len(label_names),
        extra={"raw_texts": list(texts), "label_names": list(label_names),
               **({"label_descriptions": list(label_descriptions)} if label_descriptions else {})},
    )


def load_tag_directory(path: str | Path, name: str | None = None) -> LoadedDataset:
    """Reads a TAG directory (layout in the module docstring) into a :class:`LoadedDataset`.

    Every file is checked (:mod:`graphkit.datasets.tag_files`): a problem raises a
    :class:`DatasetError` naming the file, the item and what was expected; nothing is
    unpickled.

    Args:
        path: the directory.
        name: dataset name to record; default ``tag:<directory name>``.
    """
    # here, not at the top: registering the curated TAGs (``graphkit data list``) must not
    # import numpy or torch
    import torch

    from graphkit.datasets.tag_files import read_edge_index, read_json, read_labels, read_splits, read_string_list

    path = Path(path)
    missing = [f for f in TAG_FILES if not (path / f).is_file()]
    if missing:
        raise DatasetError(f"{path} is not a TAG directory: missing {', '.join(missing)}")
    texts = read_string_list(path / "raw_texts.json", "a JSON list of strings, one text per node", "node text")
    if not any(t.strip() for t in texts):
        raise DatasetError(f"{path / 'raw_texts.json'}: all {len(texts)} texts are empty; expected node texts "
                           f"(a text encoder makes the features from them)")
    label_names = read_string_list(path / "label_names.json", "a JSON list of strings, one name per class",
                                   "class name", allow_empty_items=False)
    repeated = sorted(n for n, k in Counter(label_names).items() if k > 1)
    if repeated:
        raise DatasetError(f"{path / 'label_names.json'}: class name {repeated[0]!r} appears more than once; "
                           f"expected one distinct name per class")
    edge_index = torch.from_numpy(read_edge_index(path / "edge_index.npy", len(texts)))
    y = torch.from_numpy(read_labels(path / "y.npy", len(texts), len(label_names)))
    splits = None
    if (path / "split.json").is_file():
        splits = [{k: torch.from_numpy(v) for k, v in s.items()}
                  for s in read_splits(path / "split.json", len(texts))]
    descriptions = None
    if (path / "label_descriptions.json").is_file():
        file = path / "label_descriptions.json"
        expected = f"a JSON list of {len(label_names)} strings, or {{class name: text}}"
        stored = read_json(file, expected)
        if isinstance(stored, dict):
            unknown = sorted(set(stored) - set(label_names))
            if unknown:
                raise DatasetError(f"{file}: unknown classes {unknown}; label_names.json has {label_names}")
            stored = [stored.get(n, "") for n in label_names]
        if not isinstance(stored, list):
            raise DatasetError(f"{file}: holds a {type(stored).__name__}; expected {expected}")
        bad = next((i for i, d in enumerate(stored) if not isinstance(d, str)), None)
        if bad is not None:
            raise DatasetError(f"{file}: item {bad} is {stored[bad]!r}; expected {expected}")
        descriptions = stored
    return tag_dataset(name or f"tag:{path.name}", texts, edge_index, y, label_names, splits,
                       label_descriptions=descriptions)


def _load_cora(ctx: LoadContext) -> LoadedDataset:
    for file in ctx.spec.files:
        ctx.fetch(file.path)
    return load_tag_directory(ctx.raw_dir / "tag" / "cora", ctx.spec.name)


def _load_arxiv(ctx: LoadContext) -> LoadedDataset:
    import pandas as pd
    import torch

    def read(name: str) -> pd.DataFrame:
        return pd.read_csv(ctx.fetch(f"tag/arxiv_2023/{name}"))

    titles = read("raw/titles.csv.gz")["titles"].fillna("").astype(str).tolist()
    categories = read("raw/labels.csv.gz")["labels"].astype(str)
    label_names = sorted(categories.unique())
    y = torch.tensor(categories.map({c: i for i, c in enumerate(label_names)}).to_numpy())
    edges = torch.tensor(read("raw/edges.csv.gz")[["source", "target"]].to_numpy()).t()
    split = {ours: torch.tensor(read(f"split/{ours}.csv.gz").iloc[:, 0].to_numpy(), dtype=torch.long)
             for ours in ("train", "valid", "test")}
    descriptions = [ARXIV_CS_NAMES.get(c, c) for c in label_names]
    return tag_dataset(ctx.spec.name, titles, edges, y, label_names, [split],
                       label_descriptions=descriptions)


SPECS = (
    DatasetSpec(
        name="tag:cora",
        task=NODE_CLASSIFICATION,
        metric="accuracy",
        source="Cora with title + abstract texts (TAPE lineage)",
        citation="https://arxiv.org/abs/2305.19523",
        description="2,708 papers with raw text, 7 classes; node order differs from Planetoid",
        files=tuple(known_file(f"tag/cora/{f}") for f in TAG_FILES),
        loader=_load_cora,
        splits=("random-60-20-20",),
        num_graphs=1,
        num_nodes=2708,
        num_edges=10556,
    ),
    DatasetSpec(
        name="tag:arxiv_2023",
        task=NODE_CLASSIFICATION,
        metric="accuracy",
        source="arXiv-2023 (He et al. 2023), titles only",
        citation="https://arxiv.org/abs/2305.19523",
        description="33,868 arXiv CS papers from 2023 with titles, 39 categories",
        files=tuple(known_file(f"tag/arxiv_2023/{f}", f"{ARXIV_URL}/{f}") for f in _ARXIV_FILES),
        loader=_load_arxiv,
        splits=("release",),
        num_graphs=1,
        num_nodes=33868,
        version=2,  # label descriptions (arXiv category names) added
        num_edges=606775,
    ),
)
