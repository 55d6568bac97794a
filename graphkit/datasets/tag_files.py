"""Checked readers for the files of a TAG directory (:mod:`graphkit.datasets.tag`).

Every file a user hands us is read without running code (``.npy`` never with
``allow_pickle``) and checked against what the loader expects; a problem is a
:class:`DatasetError` naming the file, the item or row, and what was expected, which the
CLI prints as one line. Values that are usable but suspicious (integral floats where
ids belong) are read with a :class:`GraphkitWarning`.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from graphkit.errors import DatasetError, GraphkitWarning

SPLIT_KEYS = ("train", "valid", "test")


def read_json(path: Path, expected: str) -> Any:
    """The JSON value in ``path`` (UTF-8); ``expected`` describes it for the messages."""
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise DatasetError(f"{path}: cannot be read ({e.strerror}); expected {expected}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise DatasetError(f"{path}: not UTF-8 text (byte {e.start} is 0x{raw[e.start]:02x}); "
                           f"expected {expected} in UTF-8") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise DatasetError(f"{path}: malformed JSON at line {e.lineno} column {e.colno} ({e.msg}); "
                           f"expected {expected}") from None
    except RecursionError:
        raise DatasetError(f"{path}: JSON nested too deeply; expected {expected}") from None


def read_string_list(path: Path, expected: str, what: str, allow_empty_items: bool = True) -> list[str]:
    """A JSON list of strings (``what`` names one item: "node text", "class name")."""
    value = read_json(path, expected)
    if not isinstance(value, list):
        raise DatasetError(f"{path}: holds a {type(value).__name__}; expected {expected}")
    if not value:
        raise DatasetError(f"{path}: is an empty list; expected {expected}")
    for i, item in enumerate(value):
        if not isinstance(item, str):
            raise DatasetError(f"{path}: item {i} is {_short(item)} ({type(item).__name__}); "
                               f"expected a string ({what})")
        if not allow_empty_items and not item.strip():
            raise DatasetError(f"{path}: item {i} is an empty string; expected a non-empty {what}")
    return value


def read_int_array(path: Path, expected: str) -> np.ndarray:
    """An integer ``.npy`` array, never unpickled. Integral floats are accepted with a
    warning; fractional ones, booleans and object arrays are refused."""
    try:
        array = np.load(path, allow_pickle=False)
    except ValueError as e:
        if "allow_pickle" in str(e):
            raise DatasetError(f"{path}: holds pickled data (an object array or a pickle), which graphkit never loads; "
                               f"expected {expected} saved with np.save(..., allow_pickle=False)") from None
        raise DatasetError(f"{path}: not a readable .npy file ({e}); expected {expected}") from None
    except (OSError, EOFError, MemoryError) as e:
        # MemoryError: a header that claims a shape far beyond the file (a damaged or hostile one)
        raise DatasetError(f"{path}: not a readable .npy file ({e}); expected {expected}") from None
    if not isinstance(array, np.ndarray):  # np.load gives an NpzFile for a .npz archive
        raise DatasetError(f"{path}: is an .npz archive, not a .npy array; expected {expected}")
    if array.size == 0:
        return array.astype(np.int64)
    if array.dtype.kind in "iu":
        return array.astype(np.int64)
    if array.dtype.kind == "f":
        finite = np.isfinite(array)
        frac = ~finite | (array != np.round(np.where(finite, array, 0)))
        if frac.any():
            at = tuple(int(i) for i in np.argwhere(frac)[0])
            raise DatasetError(f"{path}: entry {_index(at)} is {array[at].item()!r} ({array.dtype}); expected {expected} "
                               f"(whole numbers)")
        warnings.warn(f"{path}: holds {array.dtype} values; read as integers ({expected})",
                      GraphkitWarning, stacklevel=2)
        return array.astype(np.int64)
    raise DatasetError(f"{path}: has dtype {array.dtype}; expected {expected}")


def read_edge_index(path: Path, num_nodes: int) -> np.ndarray:
    """``[2, E]`` node ids in ``0..num_nodes-1``."""
    expected = f"an integer array [2, E] of node ids 0..{num_nodes - 1}"
    edges = read_int_array(path, expected)
    if edges.size == 0:
        return edges.reshape(2, 0)
    if edges.ndim != 2 or edges.shape[0] != 2:
        hint = " (an edge list: save edge_index.T instead)" if edges.ndim == 2 and edges.shape[1] == 2 else ""
        raise DatasetError(f"{path}: has shape {list(edges.shape)}{hint}; expected {expected}")
    bad = (edges < 0) | (edges >= num_nodes)
    if bad.any():
        row, col = (int(i) for i in np.argwhere(bad)[0])
        raise DatasetError(f"{path}: edge {col} ({'source' if row == 0 else 'target'}) is node {int(edges[row, col])}; "
                           f"expected node ids 0..{num_nodes - 1} ({num_nodes} texts in raw_texts.json)")
    return edges


def read_labels(path: Path, num_nodes: int, num_classes: int) -> np.ndarray:
    """``[N]`` class ids in ``0..num_classes-1``."""
    expected = (f"an integer array [{num_nodes}] of class ids 0..{num_classes - 1} "
                f"(one per node; {num_classes} names in label_names.json)")
    y = read_int_array(path, expected)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1 or y.shape[0] != num_nodes:
        raise DatasetError(f"{path}: has shape {list(y.shape)}; expected {expected}")
    bad = (y < 0) | (y >= num_classes)
    if bad.any():
        node = int(np.argmax(bad))
        more = (f"; label_names.json names {num_classes} classes, too few" if y[node] >= num_classes else
                "; unlabelled nodes are not supported: leave them out of the directory")
        raise DatasetError(f"{path}: node {node} has class {int(y[node])}{more}; expected {expected}")
    return y


def read_splits(path: Path, num_nodes: int) -> list[dict[str, np.ndarray]]:
    """``{"train": [...], "valid": [...], "test": [...]}`` or a list of such; ids in range,
    a non-empty ``test`` in each."""
    expected = (f'{{"train": [...], "valid": [...], "test": [...]}} (or a list of such) with node ids '
                f"0..{num_nodes - 1}")
    stored = read_json(path, expected)
    stored = stored if isinstance(stored, list) else [stored]
    if not stored:
        raise DatasetError(f"{path}: is an empty list; expected {expected}")
    out = []
    for k, split in enumerate(stored):
        where = f"split {k}" if len(stored) > 1 else "split"
        if not isinstance(split, dict):
            raise DatasetError(f"{path}: {where} is a {type(split).__name__}; expected {expected}")
        unknown = sorted(set(split) - set(SPLIT_KEYS))
        if unknown:
            raise DatasetError(f"{path}: {where} has unknown key {unknown[0]!r}; valid keys: {', '.join(SPLIT_KEYS)}")
        if not split.get("test"):
            raise DatasetError(f"{path}: {where} has {'an empty' if 'test' in split else 'no'} 'test' list; "
                               f"expected at least one test node")
        parts = {}
        for key, ids in split.items():
            if not isinstance(ids, list):
                raise DatasetError(f"{path}: {where} '{key}' is a {type(ids).__name__}; expected a list of node ids")
            for i, v in enumerate(ids):
                if isinstance(v, bool) or not isinstance(v, int):
                    raise DatasetError(f"{path}: {where} '{key}' item {i} is {_short(v)}; expected an integer node id")
                if not 0 <= v < num_nodes:
                    raise DatasetError(f"{path}: {where} '{key}' item {i} is node {v}; expected node ids "
                                       f"0..{num_nodes - 1} ({num_nodes} texts in raw_texts.json)")
            parts[key] = np.asarray(ids, dtype=np.int64)
        out.append(parts)
    return out


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _index(at: tuple[int, ...]) -> str:
    return f"[{', '.join(map(str, at))}]"
