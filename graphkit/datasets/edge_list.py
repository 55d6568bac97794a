"""A node-level graph of the user's own as CSV files in one folder.

===============  ==========================================================================
``edges.csv``    two integer columns, source and target node id (0-based rows of the files
                 below); made undirected unless ``data.args.directed: true``
``labels.csv``   one row per node: a class id, or several 0/1 columns (multi-label)
``features.csv`` optional, one row per node of numbers (or ``features.npy``, ``[N, F]``);
                 without it nodes get a one-hot degree
``split.csv``    optional, one row per node: ``train``, ``valid`` (``val``), ``test``, or
                 ``unused`` / an empty cell; the ``given`` split
===============  ==========================================================================

A header line is optional in every CSV: it is detected when the first line is not numbers
(in ``split.csv``, whose values are words, when the file has one line more than nodes).
Every error names the file, the line and what was expected.
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


def _first_line(path: Path) -> str:
    try:
        with open(path, encoding="utf-8") as f:
            return f.readline()
    except UnicodeDecodeError as e:
        raise DatasetError(f"{path}: is not UTF-8 text (byte {e.start}); expected a CSV file") from None


def _is_numeric_row(line: str) -> bool:
    try:
        [float(v) for v in line.strip().split(",")]
    except ValueError:
        return False
    return True


def read_table(path: Path, expected: str, numeric: bool = True,
               header: Optional[bool] = None) -> tuple[pd.DataFrame, int]:
    """A CSV without index column, and the file line of its first row (1, or 2 after a
    header); ``expected`` says what a row should hold, for errors. ``header``: ``None``
    detects it (a first line that is not numbers), or says whether there is one."""
    first = _first_line(path)
    if not first.strip():
        raise DatasetError(f"{path}: is empty; expected {expected}")
    if header is None:
        header = not _is_numeric_row(first)
    try:
        table = pd.read_csv(path, header=0 if header else None, skipinitialspace=True,
                            dtype=None if numeric else str, keep_default_na=numeric, skip_blank_lines=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as e:
        raise DatasetError(f"{path}: cannot parse as CSV ({str(e).splitlines()[0]}); expected {expected}") from None
    offset = 2 if header else 1
    if table.empty:
        raise DatasetError(f"{path}: has a header line but no rows; expected {expected}")
    if numeric:
        for column in table.columns:
            values = pd.to_numeric(table[column], errors="coerce")
            bad = values.isna() & table[column].notna()
            if bad.any():
                row = int(bad.to_numpy().argmax())
                raise DatasetError(f"{path}: line {row + offset}: {table[column].iloc[row]!r} is not a number; "
                                   f"expected {expected}")
            table[column] = values
        if table.isna().any().any():
            row = int(table.isna().any(axis=1).to_numpy().argmax())
            raise DatasetError(f"{path}: line {row + offset} has an empty value; expected {expected}")
    return table, offset


def _features(folder: Path, num_nodes: int) -> Optional[torch.Tensor]:
    if (folder / FEATURES).is_file():
        path = folder / FEATURES
        x = torch.from_numpy(read_table(path, "one row of numbers per node")[0].to_numpy(dtype=np.float32))
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


# the values of split.csv; an empty cell or "unused" leaves the node out of every set
SPLIT_NAMES = {"train": "train", "valid": "valid", "val": "valid", "validation": "valid", "test": "test",
               "": None, "unused": None, "none": None}


def _given_split(folder: Path, num_nodes: int) -> Optional[list[dict]]:
    path = folder / SPLIT
    if not path.is_file():
        return None
    expected = f"one of train, valid, test or unused per node ({num_nodes} rows, an optional header line)"
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = sum(1 for line in f if line.strip())
    # a header is told by the row count, since its words look like split values
    if lines not in (num_nodes, num_nodes + 1):
        raise DatasetError(f"{path}: has {lines} non-empty lines; expected one per node: {num_nodes} "
                           f"(the rows of {folder / LABELS}), after an optional header line")
    table, offset = read_table(path, expected, numeric=False, header=lines == num_nodes + 1)
    names = table.iloc[:, 0].fillna("").str.strip().str.lower()
    bad = ~names.isin(list(SPLIT_NAMES))
    if bad.any():
        row = int(bad.to_numpy().argmax())
        raise DatasetError(f"{path}: line {row + offset}: {table.iloc[row, 0]!r}; expected {expected}")
    names = names.map(SPLIT_NAMES)
    return [{k: np.flatnonzero((names == k).to_numpy()) for k in ("train", "valid", "test")}]


def read_edge_list_folder(folder: Path, directed: bool = False) -> tuple[Data, Optional[list[dict]]]:
    """The graph in ``folder`` and its given split (or ``None``); see the module docstring."""
    for required, what in ((EDGES, "two node ids per row"), (LABELS, "one label row per node")):
        if not (folder / required).is_file():
            raise DatasetError(f"{folder}: {required} not found; expected an edge-list folder with {EDGES} "
                               f"({what}), {LABELS}, optional {FEATURES} and {SPLIT}")
    labels = read_table(folder / LABELS, "a class id (or 0/1 columns) per node")[0].to_numpy()
    num_nodes = len(labels)
    expected = f"two integer node ids 0..{num_nodes - 1} per row (one id per row of {folder / LABELS})"
    table, offset = read_table(folder / EDGES, expected)
    edges = table.to_numpy()
    if edges.shape[1] != 2:
        raise DatasetError(f"{folder / EDGES}: rows have {edges.shape[1]} values; expected {expected}")
    for what, bad in (("is not an integer", edges != np.round(edges)),
                      ("is out of range", (edges < 0) | (edges >= num_nodes))):
        if bad.any():
            row, column = np.argwhere(bad)[0]
            value = edges[row, column]
            value = int(value) if value == round(value) else float(value)
            raise DatasetError(f"{folder / EDGES}: line {row + offset}: node id {value} {what}; expected {expected}")
    edge_index = torch.from_numpy(edges.astype(np.int64)).t().contiguous()  # [2, E]
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
