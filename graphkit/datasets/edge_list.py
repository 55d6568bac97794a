"""A node-level graph of the user's own as CSV files in one folder.

===============  ==========================================================================
``edges.csv``    two integer columns, source and target node id (0-based rows of the files
                 below); made undirected unless ``data.args.directed: true``
``labels.csv``   one row per node: a class id, or several 0/1 columns (multi-label)
``features.csv`` optional, one row per node of numbers (or ``features.npy``, ``[N, F]``);
                 without it nodes get a one-hot degree
``split.csv``    optional, one row per node: ``train``, ``valid`` or ``test`` (anything
                 else: unused); the ``given`` split
===============  ==========================================================================

A header line is allowed in every CSV (detected when its first line is not numeric).
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Optional

import numpy as np
import pandas as pd
import torch
from torch_geometric.data import Data
from torch_geometric.utils import to_undirected

from graphkit.datasets.dataset_spec import DatasetSpec
from graphkit.datasets.load_context import LoadContext
from graphkit.datasets.loaded_dataset import LoadedDataset
from graphkit.datasets.own_data import OWN_ARGS, build_own_dataset, fingerprint, own_spec
from graphkit.datasets.tu_family import check_args
from graphkit.errors import DatasetError

EDGE_LIST_ARGS = OWN_ARGS + ("directed",)
EDGES, LABELS, FEATURES, FEATURES_NPY, SPLIT = "edges.csv", "labels.csv", "features.csv", "features.npy", "split.csv"


def _has_header(path: Path) -> bool:
    with open(path) as f:
        first = f.readline()
    try:
        [float(v) for v in first.strip().split(",")]
    except ValueError:
        return True
    return False


def read_table(path: Path, expected: str, numeric: bool = True) -> pd.DataFrame:
    """A CSV without index column; ``expected`` says what a row should hold, for errors."""
    try:
        table = pd.read_csv(path, header=0 if _has_header(path) else None, skipinitialspace=True,
                            dtype=None if numeric else str, keep_default_na=numeric)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as e:
        raise DatasetError(f"{path}: cannot parse as CSV ({str(e).splitlines()[0]}); expected {expected}") from None
    if numeric:
        bad = [c for c in table.columns if not pd.api.types.is_numeric_dtype(table[c])]
        if bad:
            raise DatasetError(f"{path}: column {bad[0]!r} is not numeric; expected {expected}")
        if table.isna().any().any():
            row = int(table.isna().any(axis=1).to_numpy().argmax())
            raise DatasetError(f"{path}: row {row} has an empty value; expected {expected}")
    return table


def _features(folder: Path, num_nodes: int) -> Optional[torch.Tensor]:
    if (folder / FEATURES).is_file():
        path = folder / FEATURES
        x = torch.from_numpy(read_table(path, "one row of numbers per node").to_numpy(dtype=np.float32))
    elif (folder / FEATURES_NPY).is_file():
        path = folder / FEATURES_NPY
        try:
            x = torch.from_numpy(np.load(path, allow_pickle=False)).float()
        except ValueError as e:
            raise DatasetError(f"{path}: cannot be read as a numeric array ({e}); expected [num_nodes, F]") from None
    else:
        return None
    if x.size(0) != num_nodes:
        raise DatasetError(f"{path}: has {x.size(0)} rows; expected one per node: {num_nodes} "
                           f"(the rows of {folder / LABELS})")
    return x.view(num_nodes, -1)  # [N, F]


def _given_split(folder: Path, num_nodes: int) -> Optional[list[dict]]:
    path = folder / SPLIT
    if not path.is_file():
        return None
    table = read_table(path, "train, valid or test per node", numeric=False)
    if len(table) != num_nodes:
        raise DatasetError(f"{path}: has {len(table)} rows; expected one per node: {num_nodes} "
                           f"(the rows of {folder / LABELS})")
    names = table.iloc[:, 0].str.strip().str.lower().replace({"val": "valid", "validation": "valid"})
    return [{k: np.flatnonzero((names == k).to_numpy()) for k in ("train", "valid", "test")}]


def read_edge_list_folder(folder: Path, directed: bool = False) -> tuple[Data, Optional[list[dict]]]:
    """The graph in ``folder`` and its given split (or ``None``); see the module docstring."""
    for required, what in ((EDGES, "two node ids per row"), (LABELS, "one label row per node")):
        if not (folder / required).is_file():
            raise DatasetError(f"{folder}: {required} not found; expected an edge-list folder with {EDGES} "
                               f"({what}), {LABELS}, optional {FEATURES} and {SPLIT}")
    labels = read_table(folder / LABELS, "a class id (or 0/1 columns) per node").to_numpy()
    num_nodes = len(labels)
    edges = read_table(folder / EDGES, "two integer node ids per row").to_numpy()
    if edges.ndim != 2 or edges.shape[1] != 2 or (edges.size and not np.all(edges == edges.round())):
        raise DatasetError(f"{folder / EDGES}: expected two integer node ids per row, got rows of "
                           f"{edges.shape[1] if edges.ndim == 2 else 0} values")
    edge_index = torch.from_numpy(edges.astype(np.int64)).t().contiguous()  # [2, E]
    if edge_index.numel() and (int(edge_index.min()) < 0 or int(edge_index.max()) >= num_nodes):
        raise DatasetError(f"{folder / EDGES}: node id {int(edge_index.max())} out of range; expected ids "
                           f"0..{num_nodes - 1} (one per row of {folder / LABELS})")
    if not directed:
        edge_index = to_undirected(edge_index, num_nodes=num_nodes)
    y = torch.tensor(labels)
    y = y.view(-1) if y.size(1) == 1 else y  # [N] class ids or [N, C] 0/1
    data = Data(edge_index=edge_index, y=y, num_nodes=num_nodes)
    x = _features(folder, num_nodes)
    if x is not None:
        data.x = x
    return data, _given_split(folder, num_nodes)


def _load(ctx: LoadContext, folder: Path, args: dict) -> LoadedDataset:
    data, given = read_edge_list_folder(folder, directed=bool(args.get("directed")))
    return build_own_dataset(ctx, [data], args, str(folder), given=given, given_hint=f"{folder / SPLIT}")


def edge_list_spec(name: str, folder: Path, args: dict) -> DatasetSpec:
    """The edge-list folder at ``folder``."""
    args = check_args(args, f"an edge-list folder ({folder})", EDGE_LIST_ARGS)
    files = [folder / f for f in (EDGES, LABELS, FEATURES, FEATURES_NPY, SPLIT) if (folder / f).is_file()]
    return own_spec(name, "your edge-list folder", f"node-level graph at {folder}",
                    partial(_load, folder=folder, args=args), fingerprint(files, args))
