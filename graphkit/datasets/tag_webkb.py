"""WebKB (Cornell, Texas, Washington, Wisconsin) as text-attributed graphs: the web pages'
raw text from the CS-TAG benchmark (`Yan et al. 2023 <https://arxiv.org/abs/2306.10023>`_).

One CSV per graph with the columns ``raw_text, category, node_id, label, neighbor_ids``
(others ignored): ``label`` is the class id, ``category`` its name (``student``,
``faculty``, ...), ``neighbor_ids`` a JSON list of node ids. :func:`read_cstag_csv` reads
any file of that layout (CS-TAG ships others in it); edges are made undirected. No
official split: 10 seeded random 60/20/20 splits, as for ``tag:cora``.
"""

from __future__ import annotations

import json
from pathlib import Path

from graphkit.datasets.checksums import known_file
from graphkit.datasets.dataset_spec import DatasetSpec
from graphkit.datasets.load_context import LoadContext
from graphkit.datasets.loaded_dataset import NODE_CLASSIFICATION, LoadedDataset
from graphkit.datasets.tag import tag_dataset
from graphkit.errors import DatasetError

CSTAG_URL = "https://raw.githubusercontent.com/sktsherlock/TAG-Benchmark/9553c4e4/data/webkb"
CSTAG_COLUMNS = ("raw_text", "category", "node_id", "label", "neighbor_ids")
# graph name -> (file name, nodes, directed edge pairs once undirected and deduplicated)
WEBKB_GRAPHS = {"cornell": ("Cornell", 191, 549), "texas": ("Texas", 187, 578),
                "washington": ("Washington", 229, 781), "wisconsin": ("Wisconsin", 265, 938)}


def read_cstag_csv(path: str | Path, name: str) -> LoadedDataset:
    """A CS-TAG node CSV (layout in the module docstring) as a TAG :class:`LoadedDataset`;
    label names come from ``category`` (one name per ``label`` id, checked)."""
    import pandas as pd
    import torch

    path = Path(path)
    try:
        table = pd.read_csv(path, dtype={"raw_text": str, "category": str}, keep_default_na=False)
    except (OSError, ValueError, UnicodeDecodeError) as e:
        raise DatasetError(f"{path}: not a readable CSV ({e}); expected CS-TAG columns "
                           f"{', '.join(CSTAG_COLUMNS)}") from None
    missing = [c for c in CSTAG_COLUMNS if c not in table.columns]
    if missing:
        raise DatasetError(f"{path}: no column {', '.join(missing)}; expected CS-TAG columns "
                           f"{', '.join(CSTAG_COLUMNS)}")
    num_nodes = len(table)
    ids = pd.to_numeric(table["node_id"], errors="coerce")
    if ids.isna().any() or sorted(ids.astype(int)) != list(range(num_nodes)):
        raise DatasetError(f"{path}: node_id must number the rows 0..{num_nodes - 1} (each once)")
    table = table.assign(node_id=ids.astype(int)).sort_values("node_id")
    labels = pd.to_numeric(table["label"], errors="coerce")
    if labels.isna().any() or (labels < 0).any():
        row = int(labels.isna().idxmax() if labels.isna().any() else (labels < 0).idxmax())
        raise DatasetError(f"{path}: row {row} has label {table['label'].iloc[row]!r}; expected a class id >= 0")
    labels = labels.astype(int)
    label_names = []
    for k in range(int(labels.max()) + 1):
        names = sorted(set(table["category"][labels == k]))
        if len(names) != 1:
            raise DatasetError(f"{path}: class {k} has {'no' if not names else len(names)} category names "
                               f"{names}; expected one category per label id")
        label_names.append(names[0])
    src, dst = [], []
    for node, cell in zip(table["node_id"], table["neighbor_ids"]):
        try:
            neighbours = json.loads(cell) if str(cell).strip() else []
        except json.JSONDecodeError:
            neighbours = None
        if not isinstance(neighbours, list) or not all(isinstance(v, int) and not isinstance(v, bool)
                                                        for v in neighbours):
            raise DatasetError(f"{path}: node {node} has neighbor_ids {str(cell)[:40]!r}; expected a list of "
                               f"node ids like [3, 7]")
        bad = [v for v in neighbours if not 0 <= v < num_nodes]
        if bad:
            raise DatasetError(f"{path}: node {node} names neighbour {bad[0]}; expected node ids 0..{num_nodes - 1}")
        src += [node] * len(neighbours)
        dst += neighbours
    edge_index = torch.tensor([src, dst], dtype=torch.long).view(2, -1)
    return tag_dataset(name, table["raw_text"].tolist(), edge_index, torch.tensor(labels.to_numpy()),
                       label_names)


def _loader(file_name: str):
    def load(ctx: LoadContext) -> LoadedDataset:
        return read_cstag_csv(ctx.fetch(f"tag/webkb_cstag/{file_name}.csv"), ctx.spec.name)
    return load


SPECS = tuple(
    DatasetSpec(
        name=f"tag:{key}",
        task=NODE_CLASSIFICATION,
        metric="accuracy",
        source="CS-TAG WebKB (web page text)",
        citation="https://arxiv.org/abs/2306.10023",
        description=f"{file_name} university web pages with raw text, 5 classes (student, faculty, ...); heterophilous",
        files=(known_file(f"tag/webkb_cstag/{file_name}.csv", f"{CSTAG_URL}/{file_name}/{file_name}.csv"),),
        loader=_loader(file_name),
        splits=("random-60-20-20",),
        num_graphs=1,
        num_nodes=nodes,
        num_edges=edges,
    )
    for key, (file_name, nodes, edges) in WEBKB_GRAPHS.items()
)
