"""``load_dataset``: fetch raw files, build once per option set, cache atomically, reload.

Layout under the data root::

    <root>/<dataset>/raw/<mirror path>        verified raw files (shared by option sets)
    <root>/<dataset>/<key>/graphs.pt          processed graphs (PyG collated format)
    <root>/<dataset>/<key>/meta.pt            splits, sizes, encoders, extras
    <root>/<dataset>/<key>/options.json       the options hashed into <key>

``<key>`` hashes everything that changes the processed output (split protocol,
positional encodings, edge direction, loader version, cache file format). Cache files hold plain tensors
and dicts and are read with ``torch.load(weights_only=True)`` only; a cache that does not
load that way is stale: it is removed and rebuilt from the checksummed raw files, never
unpickled with code execution. An option set with encodings is derived from the
cached plain one, so the raw processing runs once per split protocol. A build happens
in a private temporary folder that is renamed to ``<key>`` when complete; a process
that loses a concurrent race throws its copy away and reads the winner's, so readers
never see a partial cache.
"""

from __future__ import annotations

import dataclasses
import errno
import hashlib
import json
import os
import pickle
import shutil
import tempfile
import warnings
from pathlib import Path
from typing import Callable, Optional

import torch
from torch_geometric.utils import to_undirected

from graphkit.amud import amud
from graphkit.config import DataConfig, PEConfig
from graphkit.datasets import graph_collection
from graphkit.datasets.dataset_spec import DatasetSpec
from graphkit.datasets.fetch import dataset_dir, resolve_mirror, resolve_root
from graphkit.datasets.graph_collection import GraphCollection
from graphkit.datasets.load_context import LoadContext
from graphkit.datasets.loaded_dataset import LoadedDataset
from graphkit.datasets.resolve import resolve_dataset
from graphkit.errors import ConfigError, DatasetError, GraphkitWarning
from graphkit.registry import Registry
from graphkit.transforms import add_encodings
from graphkit.transforms.add_dual_incidence import AddDualIncidence
from graphkit.transforms.hac_tokenization import AddHACTokenization

_CONTENT_FIELDS = ("data", "graphs")
# What a weights-only load of a foreign, truncated or old-format cache file raises.
_STALE_ERRORS = (pickle.UnpicklingError, RuntimeError, EOFError, ValueError, KeyError, TypeError, OSError)
# Errors of the data root itself (not of a dataset's files): reported as one line.
_ROOT_ERRNOS = {errno.EROFS: "read-only", errno.ENOSPC: "full", errno.EDQUOT: "over quota",
                errno.EACCES: "not writable", errno.EPERM: "not writable"}


def resolve_split(spec: DatasetSpec, split: str) -> str:
    if split == "default":
        return spec.default_split
    if split not in spec.splits:
        raise ConfigError(
            f"data.split: dataset {spec.name!r} has no split {split!r}; "
            f"valid options: {', '.join(dict.fromkeys(('default', *spec.splits)))}"
        )
    return split


def direction_request(spec: DatasetSpec, cfg: DataConfig) -> bool | str | None:
    """What to do with the loader's edges: ``None`` keeps them as loaded, ``True`` keeps the
    raw direction, ``False`` symmetrizes, ``"auto"`` asks AMUD.

    Raises:
        ConfigError: ``data.directed`` on a dataset that records no direction, or ``true``
            on one whose raw edges are undirected.
    """
    if cfg.directed is None:
        return False if spec.directed and not spec.keep_direction else None
    if spec.directed is None:
        raise ConfigError(f"data.directed: dataset {spec.name!r} records no edge direction, so it "
                          f"cannot be kept or decided; remove data.directed (its edges are used as loaded)")
    if not spec.directed:
        if cfg.directed is False:
            return None  # already undirected
        raise ConfigError(f"data.directed: {str(cfg.directed).lower()} needs a directed raw edge list, but "
                          f"{spec.name!r} has undirected raw edges; use data.directed: false or null")
    if cfg.directed is True and spec.keep_direction:
        return None  # the loader keeps the raw direction already
    return cfg.directed


_FROM_CONFIG = "from-config"


def cache_options(spec: DatasetSpec, cfg: DataConfig, request: bool | str | None = _FROM_CONFIG) -> dict:
    """The processing options that identify a cache entry (``request``: the direction
    request, by default :func:`direction_request` of ``cfg``)."""
    if request == _FROM_CONFIG:
        request = direction_request(spec, cfg)
    return {
        "dataset": spec.name,
        "version": spec.version,
        "format": graph_collection.FORMAT,
        "split": resolve_split(spec, cfg.split),
        "lap_dim": cfg.pe.lap_dim,
        "rwse_steps": cfg.pe.rwse_steps,
        # caches written before LapPE padding became NaN (was zero) must not be reused
        **({"lap_padding": "nan"} if cfg.pe.lap_dim > 0 else {}),
        **({"fingerprint": spec.fingerprint} if spec.fingerprint else {}),
        # only when on, so that the keys of caches without HAC do not change
        **({"hac_levels": cfg.pe.hac_levels, "hac_seed": cfg.pe.hac_seed}
           if cfg.pe.hac_levels > 0 else {}),
        **({"dual_hypergraph": True} if cfg.pe.dual_hypergraph else {}),
        # only when the edges differ from the loader's, so that existing keys do not change
        **({"directed": request} if request is not None else {}),
        **({"amud_split": cfg.splits[0]} if request == "auto" else {}),
    }


def cache_dir(spec: DatasetSpec, cfg: DataConfig, request: bool | str | None = _FROM_CONFIG) -> Path:
    """Folder holding the processed cache of ``spec`` for the options in ``cfg``."""
    options = cache_options(spec, cfg, request)
    key = hashlib.sha256(json.dumps(options, sort_keys=True).encode()).hexdigest()[:16]
    return dataset_dir(resolve_root(cfg.root), spec.name) / key


def load_dataset(cfg: DataConfig, registry: Registry[DatasetSpec] | None = None) -> LoadedDataset:
    """Loads dataset ``cfg.name``, building and caching it on first use.

    Args:
        cfg: the data section of a run config (name, root, mirror, split, pe).
        registry: where to look ``cfg.name`` up; default :data:`graphkit.datasets.DATASETS`
            (filled by :func:`graphkit.catalog.load_datasets`).
            Family members (``tu:NAME``) and the user's own data (a path, ``pyg:...``)
            are resolved by :func:`graphkit.datasets.resolve.resolve_dataset`.

    Raises:
        UnknownNameError: ``cfg.name`` is neither registered nor a family member or path.
        ConfigError: unknown split protocol, or a split index out of range.
        DatasetError / ChecksumError: raw files missing, unreachable or corrupt.
    """
    spec = resolve_dataset(cfg, registry)
    try:
        dataset = _cached(spec, cfg)
    except OSError as e:
        if e.errno not in _ROOT_ERRNOS:
            raise
        root = resolve_root(cfg.root)
        raise DatasetError(
            f"data root {root} is {_ROOT_ERRNOS[e.errno]} ({e.strerror}: {e.filename}); "
            "point data.root or $GRAPHKIT_DATA at a writable folder with free space"
        ) from None
    if dataset.splits:
        bad = [i for i in cfg.splits if not 0 <= i < len(dataset.splits)]
        if bad:
            raise ConfigError(
                f"data.splits: index {bad[0]} out of range; {spec.name} "
                f"({resolve_split(spec, cfg.split)}) has splits 0..{len(dataset.splits) - 1}"
            )
    return dataset


def _cached(spec: DatasetSpec, cfg: DataConfig, request: bool | str | None = _FROM_CONFIG) -> LoadedDataset:
    if request == _FROM_CONFIG:
        request = direction_request(spec, cfg)
    target = cache_dir(spec, cfg, request)
    if target.is_dir():
        try:
            return _read(target)
        except _STALE_ERRORS as e:
            warnings.warn(f"processed cache {target} does not load as plain tensors ({_reason(e)}); "
                          f"rebuilding it from the checksummed raw files", GraphkitWarning, stacklevel=3)
            _discard(target)
    if request is not None:
        # Direction is applied to the loader's cached output (raw direction), and encodings
        # are computed after it, on the edges the model will see.
        base = _cached(spec, dataclasses.replace(cfg, pe=PEConfig()), None)
        _publish(spec, cfg, target, lambda out: _write(_with_direction(base, request, cfg.splits[0]), out,
                                                       None if cfg.pe == PEConfig() else cfg.pe), request)
    elif cfg.pe == PEConfig():
        _publish(spec, cfg, target, lambda out: _write(_run_loader(spec, cfg, out), out), None)
    else:
        # Encodings are computed on the cached plain dataset, so trying another PE
        # setting does not repeat the (possibly minutes of) raw processing.
        base = _cached(spec, dataclasses.replace(cfg, pe=PEConfig()), None)
        _publish(spec, cfg, target, lambda out: _write(base, out, cfg.pe), None)
    try:
        return _read(target)
    except _STALE_ERRORS as e:
        raise DatasetError(f"processed cache {target} does not load right after being built ({e}); "
                           f"delete it and retry") from None


def _with_direction(dataset: LoadedDataset, request: bool | str, split: int) -> LoadedDataset:
    """``dataset`` with its edges kept directed or symmetrized; ``auto`` asks AMUD, on the
    training nodes of split ``split`` only."""
    if dataset.is_graph_level:
        raise ConfigError(f"data.directed: {dataset.name} is graph-level; direction applies to one graph")
    data = dataset.data.clone()
    extra = dict(dataset.extra)
    directed = request
    if request == "auto":
        if not dataset.splits or split >= len(dataset.splits):
            raise ConfigError(f"data.directed: auto needs training labels; {dataset.name} has no split {split}")
        result = amud(data.edge_index, data.y, dataset.splits[split]["train"], int(data.num_nodes))
        extra["amud"] = {**result.to_dict(), "split": split}
        directed = result.directed
    if not directed:
        if getattr(data, "edge_attr", None) is not None:
            data.edge_index, data.edge_attr = to_undirected(data.edge_index, data.edge_attr,
                                                            num_nodes=data.num_nodes)
        else:
            data.edge_index = to_undirected(data.edge_index, num_nodes=data.num_nodes)
    extra["directed"] = bool(directed)
    return dataclasses.replace(dataset, data=data, extra=extra)


def _reason(error: BaseException) -> str:
    """One short line saying why a cache file did not load."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    unsafe = next((line for line in lines if "Unsupported global" in line), None)
    if unsafe is not None:  # "WeightsUnpickler error: Unsupported global: GLOBAL x.y was not ..."
        return "it holds pickled code: " + unsafe.split("Unsupported global:", 1)[1].split(" was not")[0].strip()
    first = lines[0] if lines else type(error).__name__
    return first.split(". ")[0][:200]


def _discard(target: Path) -> None:
    """Moves a stale cache aside (atomically, so a concurrent reader sees it whole or
    not at all) and deletes it."""
    trash = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".stale", dir=target.parent))
    try:
        os.rename(target, trash / target.name)
    except FileNotFoundError:  # another process discarded it first
        pass
    finally:
        shutil.rmtree(trash, ignore_errors=True)


def _run_loader(spec: DatasetSpec, cfg: DataConfig, out: Path) -> LoadedDataset:
    ctx = LoadContext(
        spec=spec,
        split=resolve_split(spec, cfg.split),
        raw_dir=out.parent / "raw",
        work_dir=out / "work",
        mirror=resolve_mirror(cfg.mirror),
    )
    ctx.work_dir.mkdir()
    dataset = spec.loader(ctx)
    shutil.rmtree(ctx.work_dir)
    return dataset


def _publish(spec: DatasetSpec, cfg: DataConfig, target: Path, fill: Callable[[Path], None],
             request: bool | str | None) -> None:
    """Runs ``fill`` on a private temporary folder and renames it to ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    try:
        fill(tmp)
        (tmp / "options.json").write_text(json.dumps(cache_options(spec, cfg, request), indent=1))
        try:
            os.rename(tmp, target)
        except OSError:
            if not target.is_dir():
                raise
            # Another process finished the same build first; its cache is equivalent.
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _write(dataset: LoadedDataset, out: Path, pe: Optional[PEConfig] = None) -> None:

    graphs = list(dataset.graphs) if dataset.is_graph_level else [dataset.data]
    if pe is not None:
        graphs = add_encodings(graphs, pe.lap_dim, pe.rwse_steps)
        if pe.hac_levels > 0:
            hac = AddHACTokenization(pe.hac_levels, pe.hac_seed)
            graphs = [hac(graph) for graph in graphs]
        if pe.dual_hypergraph:
            dual = AddDualIncidence()
            graphs = [dual(graph) for graph in graphs]
    GraphCollection.write(graphs, out / "graphs.pt")
    meta = {f.name: getattr(dataset, f.name) for f in dataclasses.fields(dataset)
            if f.name not in _CONTENT_FIELDS}
    meta["graph_level"] = dataset.is_graph_level
    torch.save(meta, out / "meta.pt")


def _read(folder: Path) -> LoadedDataset:

    meta = torch.load(folder / "meta.pt", weights_only=True)
    graphs = GraphCollection(folder / "graphs.pt")
    if meta.pop("graph_level"):
        return LoadedDataset(**meta, graphs=graphs)
    return LoadedDataset(**meta, data=graphs[0])
