"""Text-attributed graphs: node texts for language-model encoders, plus the graph.

A TAG directory holds ``raw_texts.json`` (one string per node), ``edge_index.npy``
(``[2, E]``), ``y.npy`` (``[N]`` class ids), ``label_names.json`` (class id -> name) and
optionally ``split.json`` (``{"train": [...], "valid": [...], "test": [...]}`` or a list of
such dicts). :func:`load_tag_directory` reads any such directory. Texts go to
``extra['raw_texts']``, label names to ``extra['label_names']``; there is no ``x``
(``num_features == 0``): a text encoder makes the features later.
"""

from __future__ import annotations

import json
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


def tag_dataset(name: str, texts: list[str], edge_index: torch.Tensor, y: torch.Tensor,
                label_names: list[str], splits: list[dict[str, torch.Tensor]] | None = None,
                metric: str = "accuracy") -> LoadedDataset:
    """Assembles a TAG :class:`LoadedDataset`; edges are made undirected and deduplicated.
    Without ``splits``, 10 seeded random 60/20/20 splits (TAPE's protocol for Cora)."""
    from torch_geometric.data import Data
    from torch_geometric.utils import coalesce, to_undirected

    from graphkit.datasets.splits import random_splits

    num_nodes = len(texts)
    if y.numel() != num_nodes:
        raise DatasetError(f"{name}: {len(texts)} texts but {y.numel()} labels")
    if edge_index.numel() and int(edge_index.max()) >= num_nodes:
        raise DatasetError(f"{name}: edge_index refers to node {int(edge_index.max())} "
                           f"but there are {num_nodes} texts")
    edge_index = coalesce(to_undirected(edge_index.long(), num_nodes=num_nodes), num_nodes=num_nodes)
    data = Data(edge_index=edge_index, y=y.long().view(-1), num_nodes=num_nodes)
    return LoadedDataset(
        name=name, task=NODE_CLASSIFICATION, metric=metric, data=data,
        splits=splits if splits else random_splits(num_nodes),
        num_features=0, num_classes=len(label_names),
        extra={"raw_texts": list(texts), "label_names": list(label_names)},
    )


def load_tag_directory(path: str | Path, name: str | None = None) -> LoadedDataset:
    """Reads a TAG directory (layout in the module docstring) into a :class:`LoadedDataset`.

    Args:
        path: the directory.
        name: dataset name to record; default ``tag:<directory name>``.
    """
    import numpy as np
    import torch

    path = Path(path)
    missing = [f for f in TAG_FILES if not (path / f).is_file()]
    if missing:
        raise DatasetError(f"{path} is not a TAG directory: missing {', '.join(missing)}")
    texts = json.loads((path / "raw_texts.json").read_text())
    label_names = json.loads((path / "label_names.json").read_text())
    edge_index = torch.from_numpy(np.load(path / "edge_index.npy"))
    y = torch.from_numpy(np.load(path / "y.npy"))
    splits = None
    if (path / "split.json").is_file():
        stored = json.loads((path / "split.json").read_text())
        stored = stored if isinstance(stored, list) else [stored]
        splits = [{k: torch.tensor(v, dtype=torch.long) for k, v in s.items()} for s in stored]
    return tag_dataset(name or f"tag:{path.name}", texts, edge_index, y, label_names, splits)


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
    return tag_dataset(ctx.spec.name, titles, edges, y, label_names, [split])


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
        num_edges=606775,
    ),
)
