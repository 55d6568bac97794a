"""The user's graphs saved with ``torch.save`` as plain tensors, plus a small metadata file.

Save them as::

    torch.save([g.to_dict() for g in graphs], "my_graphs.pt")   # dicts of tensors

(``x``, ``edge_index``, ``y``, optionally ``edge_attr``); the file is read with
``torch.load(weights_only=True)``, so it can hold nothing but tensors and plain values.
Beside it, ``my_graphs.yaml`` (or ``.json``) may give::

    task: graph_regression        # when the labels do not tell (see own_data)
    metric: mae
    splits: {train: [...], valid: [...], test: [...]}   # or a list of such, one per split

One graph with a label per node is a node-level dataset; several graphs, graph-level.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Optional

import torch
import yaml
from torch_geometric.data import Data

from graphkit.datasets.dataset_spec import DatasetSpec
from graphkit.datasets.load_context import LoadContext
from graphkit.datasets.loaded_dataset import LoadedDataset
from graphkit.datasets.own_data import OWN_ARGS, build_own_dataset, fingerprint, own_spec
from graphkit.datasets.tu_family import check_args
from graphkit.errors import DatasetError

META_KEYS = ("task", "metric", "splits")
_SAVE_HINT = "torch.save([g.to_dict() for g in graphs], path)"


def metadata_path(path: Path) -> Optional[Path]:
    for suffix in (".yaml", ".yml", ".json"):
        candidate = path.with_suffix(suffix)
        if candidate.is_file():
            return candidate
    return None


def read_metadata(path: Path) -> dict:
    meta_file = metadata_path(path)
    if meta_file is None:
        return {}
    try:
        meta = yaml.safe_load(meta_file.read_text()) or {}
    except yaml.YAMLError as e:
        raise DatasetError(f"{meta_file}: not valid YAML/JSON ({str(e).splitlines()[0]})") from None
    if not isinstance(meta, dict):
        raise DatasetError(f"{meta_file}: expected a mapping with keys {', '.join(META_KEYS)}")
    unknown = sorted(set(meta) - set(META_KEYS))
    if unknown:
        raise DatasetError(f"{meta_file}: unknown key {unknown[0]!r}; valid keys: {', '.join(META_KEYS)}")
    splits = meta.get("splits")
    if isinstance(splits, dict):
        meta["splits"] = [splits]
    elif splits is not None and not (isinstance(splits, list) and all(isinstance(s, dict) for s in splits)):
        raise DatasetError(f"{meta_file}: splits: expected {{train: [...], valid: [...], test: [...]}} or a "
                           f"list of such mappings")
    return meta


def read_graphs(path: Path) -> list[Data]:
    with open(path, "rb") as f:
        head = f.read(4)
    if head != b"PK\x03\x04":  # torch.save writes a zip archive since torch 1.6
        raise DatasetError(f"{path}: is not a file written by torch.save (it does not start as a zip archive); "
                           f"expected a list of dicts of tensors saved with {_SAVE_HINT}")
    try:
        stored = torch.load(path, weights_only=True)
    # any failure of a user's file is the file's: a text file named .pt fails inside the
    # legacy unpickler with a KeyError, a pickle of objects with an UnpicklingError
    except Exception as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else ""
        reason = f"{type(e).__name__}: {first[:160]}" if first else type(e).__name__
        if "GLOBAL" in str(e):
            reason = "it holds pickled objects, which are never unpickled"
        raise DatasetError(f"{path}: cannot be read with torch.load(weights_only=True) ({reason}); expected a "
                           f"list of dicts of tensors saved with {_SAVE_HINT}") from None
    if isinstance(stored, dict):
        stored = [stored]
    if not isinstance(stored, (list, tuple)) or not all(isinstance(g, dict) for g in stored):
        raise DatasetError(f"{path}: expected a list of dicts of tensors ({_SAVE_HINT}), got "
                           f"{type(stored).__name__}")
    graphs = []
    for i, g in enumerate(stored):
        if "edge_index" not in g:
            raise DatasetError(f"{path}: graph {i} has no 'edge_index'; expected keys x, edge_index, y")
        graphs.append(Data(**g))
    return graphs


def _load(ctx: LoadContext, path: Path, args: dict) -> LoadedDataset:
    meta = read_metadata(path)
    options = {k: v for k, v in meta.items() if k in ("task", "metric")} | args
    hint = f"'splits' in {path.with_suffix('.yaml')}"
    return build_own_dataset(ctx, read_graphs(path), options, str(path), given=meta.get("splits"),
                             given_hint=hint)


def saved_graphs_spec(name: str, path: Path, args: dict) -> DatasetSpec:
    """The graphs saved at ``path`` (a ``.pt`` file) with their optional metadata file."""
    args = check_args(args, f"saved graphs ({path})", OWN_ARGS)
    meta_file = metadata_path(path)
    files = [path] + ([meta_file] if meta_file else [])
    return own_spec(name, "your saved graphs", f"graphs saved at {path}",
                    partial(_load, path=path, args=args), fingerprint(files, args))
