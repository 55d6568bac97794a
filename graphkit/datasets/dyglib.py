"""Continuous-time event streams in the TGN / DyGLib layout: ``dyglib:<name>``.

``dyglib/<name>/ml_<name>.csv`` (columns ``u, i, ts, label, idx``: one interaction per
row, sorted by time; node ids from 1), with optional ``ml_<name>.npy`` (edge features, row
``idx``; row 0 is padding) and ``ml_<name>_node.npy`` (node features, row = node id), as
written by DyGLib's ``preprocess_data.py`` (https://github.com/yule-BUAA/DyGLib) and TGN's
``utils/preprocess_data.py``. Without the ``.npy`` files features are one zero column (UCI's
are zeros in DyGLib too).

The split is DyGLib's (:func:`graphkit.temporal.chronological_split`): chronological
70 / 15 / 15 by timestamp quantiles, 10 % of the nodes held out of training, and the
new-node (inductive) validation and test sets. The stream is a PyG ``TemporalData``
(``src``, ``dst``, ``t``, ``msg``; ``x`` holds the node features); ``splits[0]`` maps
``train``, ``valid``, ``test``, ``new_node_valid``, ``new_node_test`` to event indices.

Files are read from the mirror (``$GRAPHKIT_MIRROR/dyglib/<name>/``) and trusted on first
use; DyGLib publishes its processed files only inside its Zenodo archive (no per-file URL),
so without a mirror they are read from ``data.args.dir`` (a folder holding them).
"""

from __future__ import annotations

import re
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from graphkit.datasets.dataset_spec import DatasetSpec
from graphkit.datasets.load_context import LoadContext
from graphkit.datasets.loaded_dataset import TEMPORAL_LINK_PREDICTION, LoadedDataset
from graphkit.datasets.remote_file import RemoteFile
from graphkit.datasets.trust import fetch_trusted
from graphkit.errors import DatasetError

if TYPE_CHECKING:
    import torch
    from torch_geometric.data import TemporalData

DYGLIB_URL = "https://github.com/yule-BUAA/DyGLib"
DYGLIB_PAPER = "https://arxiv.org/abs/2303.13047"
_NAME = re.compile(r"^[A-Za-z0-9_\-]+$")
_ARGS = ("dir", "val_ratio", "test_ratio")
_COLUMNS = ("u", "i", "ts")


def _fingerprint(files: list[Path], args: dict) -> str:
    from graphkit.datasets.own_data import fingerprint

    return fingerprint(files, args)


def _check_args(args: dict, where: str, valid: tuple[str, ...]) -> dict:
    unknown = sorted(set(args) - set(valid))
    if unknown:
        raise DatasetError(f"data.args: unknown key {unknown[0]!r} for {where}; valid keys: {', '.join(valid)}")
    return dict(args)


def _local(ctx: LoadContext, name: str, file: str, folder: Path | None, required: bool) -> Path | None:
    if folder is not None:
        path = folder / file
        if not path.is_file():
            if required:
                raise DatasetError(f"{path}: not found; expected DyGLib's ml_<name>.csv (columns u, i, ts, label, idx)")
            return None
        return path
    if not required and (ctx.mirror is None or not (ctx.mirror / "dyglib" / name / file).is_file()):
        return None
    return fetch_trusted(f"dyglib/{name}/{file}", None, ctx.raw_dir.parent, ctx.mirror)


def _features(path: Path | None, rows: int, where: str) -> torch.Tensor:
    import numpy as np
    import torch

    if path is None:
        return torch.zeros(rows, 1)
    try:
        array = np.load(path, allow_pickle=False)
    except ValueError as e:
        raise DatasetError(f"{path}: not a numeric .npy array ({e})") from None
    if array.ndim != 2 or array.shape[0] < rows:
        raise DatasetError(f"{path}: expected a 2-D array with at least {rows} rows ({where}); got shape "
                           f"{tuple(array.shape)}")
    return torch.as_tensor(np.asarray(array, dtype=np.float32))


def read_stream(csv: Path, edge_npy: Path | None = None, node_npy: Path | None = None) -> TemporalData:
    """The event stream of ``ml_<name>.csv`` (+ features) as a ``TemporalData``."""
    # imported here: the curated entry is listed (``graphkit data list``) without torch
    import numpy as np
    import pandas as pd
    import torch
    from torch_geometric.data import TemporalData

    try:
        frame = pd.read_csv(csv)
    except (ValueError, pd.errors.ParserError) as e:
        raise DatasetError(f"{csv}: not a CSV file ({e})") from None
    missing = [c for c in _COLUMNS if c not in frame.columns]
    if missing:
        raise DatasetError(f"{csv}: missing column(s) {', '.join(missing)}; expected DyGLib's layout u, i, ts, "
                           f"label, idx")
    if frame.empty:
        raise DatasetError(f"{csv}: no events")
    try:
        src = torch.as_tensor(frame.u.to_numpy(np.int64, copy=True))
        dst = torch.as_tensor(frame.i.to_numpy(np.int64, copy=True))
        t = torch.as_tensor(frame.ts.to_numpy(np.float64, copy=True))
    except (ValueError, TypeError) as e:
        raise DatasetError(f"{csv}: u and i must be integer node ids and ts numeric ({e})") from None
    if int(min(src.min(), dst.min())) < 0:
        raise DatasetError(f"{csv}: negative node id")
    if "idx" in frame.columns:
        idx = torch.as_tensor(frame.idx.to_numpy(np.int64, copy=True))
    else:
        idx = torch.arange(1, len(frame) + 1)
    num_nodes = int(max(src.max(), dst.max())) + 1
    edge = _features(edge_npy, int(idx.max()) + 1, "one row per idx")
    node = _features(node_npy, num_nodes, "one row per node id")
    label = torch.zeros(len(frame))
    if "label" in frame.columns:
        label = torch.as_tensor(frame.label.to_numpy(np.float32, copy=True))
    stream = TemporalData(src=src, dst=dst, t=t, msg=edge[idx], y=label)
    stream.x = node[:num_nodes]
    return stream


def stream_dataset(name: str, stream: TemporalData, *, val_ratio: float = 0.15, test_ratio: float = 0.15,
                   new_node_ratio: float = 0.1, metric: str = "ap") -> LoadedDataset:
    """A :class:`LoadedDataset` of ``stream`` with DyGLib's split (``new_node_ratio`` of the
    nodes held out of training; 0 gives TGB's split)."""
    from graphkit.temporal import chronological_split

    split = chronological_split(stream.src, stream.dst, stream.t, val_ratio=val_ratio, test_ratio=test_ratio,
                                new_node_ratio=new_node_ratio)
    index = {key: split.mask(key).nonzero().view(-1)
             for key in ("train", "valid", "test", "new_node_valid", "new_node_test")}
    return LoadedDataset(
        name=name, task=TEMPORAL_LINK_PREDICTION, metric=metric, splits=[index], data=stream,
        num_features=int(stream.x.size(1)), num_classes=1, num_edge_features=int(stream.msg.size(1)),
        extra={"val_time": split.val_time, "test_time": split.test_time,
               "new_test_nodes": split.new_test_nodes, "num_nodes": int(stream.x.size(0))},
    )


def _load(ctx: LoadContext, name: str, args: dict) -> LoadedDataset:
    folder = Path(args["dir"]).expanduser() if "dir" in args else None
    csv = _local(ctx, name, f"ml_{name}.csv", folder, True)
    edge = _local(ctx, name, f"ml_{name}.npy", folder, False)
    node = _local(ctx, name, f"ml_{name}_node.npy", folder, False)
    stream = read_stream(csv, edge, node)
    return stream_dataset(f"dyglib:{name}", stream, val_ratio=float(args.get("val_ratio", 0.15)),
                          test_ratio=float(args.get("test_ratio", 0.15)))


def _load_curated(ctx: LoadContext, name: str) -> LoadedDataset:
    return stream_dataset(ctx.spec.name, read_stream(ctx.fetch(f"dyglib/{name}/ml_{name}.csv")))


# UCI messages (Panzarasa et al. 2009) as DyGLib processed them: its ml_uci.csv (no .npy in
# the mirror; DyGLib's UCI features are zeros), pinned to the mirror's copy
SPECS = (
    DatasetSpec(
        name="dyglib:uci", task=TEMPORAL_LINK_PREDICTION, metric="ap", source="DyGLib processed event stream",
        citation=DYGLIB_PAPER, description="UCI online-community messages, 59,835 timestamped interactions",
        files=(RemoteFile("dyglib/uci/ml_uci.csv",
                          "1afae3492224f7ec89d413b8e3ab3bd309f39054250774062df9c21f1f09570f"),),
        loader=partial(_load_curated, name="uci"), num_nodes=1899, num_edges=59835,
    ),
)


def dyglib_member(member: str, args: dict, registry) -> DatasetSpec:
    """``dyglib:<name>``: the curated entry (``dyglib:uci``, pinned) when there is one and no
    ``data.args``, else DyGLib's ``ml_<name>.csv`` from the mirror or ``data.args.dir``."""
    if not _NAME.match(member):
        raise DatasetError(f"data.name 'dyglib:{member}': expected dyglib:<name> such as dyglib:uci")
    if not args and f"dyglib:{member}" in registry:
        return registry.get(f"dyglib:{member}")
    args = _check_args(args, f"dyglib:{member}", _ARGS)
    files = []
    if "dir" in args:
        folder = Path(args["dir"]).expanduser()
        files = sorted(p for p in folder.glob(f"ml_{member}*") if p.is_file()) if folder.is_dir() else []
        if not files:
            raise DatasetError(f"data.args.dir {folder}: no ml_{member}.csv there")
    return DatasetSpec(
        name=f"dyglib:{member}", task=TEMPORAL_LINK_PREDICTION, metric="ap",
        source="DyGLib processed event stream", citation=DYGLIB_PAPER,
        description=f"continuous-time interactions dyglib/{member}/ml_{member}.csv ({DYGLIB_URL})", files=(),
        loader=partial(_load, name=member, args=args), integrity="trust-on-first-use",
        fingerprint=_fingerprint(files, args) if args else None,
    )
