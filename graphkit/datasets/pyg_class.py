"""Any PyG dataset class by import path: ``data.name: pyg:torch_geometric.datasets.Amazon``
with its constructor arguments in ``data.args`` (``{name: Photo}``).

The class is instantiated with ``root`` (when it takes one) in a fresh temporary folder
that is deleted once its graphs are read: PyG saves and re-reads its ``processed/`` files
with full unpickling (``pre_transform.pt``, and ``data.pt`` on its rebuild path), so a
persistent root would let anyone who can write there run code in the next training. Only
graphkit's own plain-tensor cache (``torch.load(weights_only=True)``) persists, so PyG's
download and processing run again only when that cache is missed (a new argument set or
split protocol). The graphs go through :func:`graphkit.datasets.own_data.build_own_dataset`. The ``given``
split is the class's ``train_mask`` / ``val_mask`` / ``test_mask`` (1-D or one column per
split) or OGB-style ``get_idx_split()``. PyG classes download from their authors' servers
without published checksums; their files are as trustworthy as PyG's loaders.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import inspect
import json
import tempfile
from functools import partial

from torch_geometric.data import Dataset

from graphkit.datasets.dataset_spec import DatasetSpec
from graphkit.datasets.load_context import LoadContext
from graphkit.datasets.loaded_dataset import LoadedDataset
from graphkit.datasets.own_data import OWN_ARGS, build_own_dataset, own_spec
from graphkit.datasets.planetoid import masks_to_splits
from graphkit.errors import DatasetError

PREFIX = "pyg:"


def import_dataset_class(path: str) -> type:
    """The class at ``module.Class``; must be a PyG ``Dataset`` subclass."""
    module_name, _, class_name = path.rpartition(".")
    if not module_name:
        raise DatasetError(f"{PREFIX}{path}: expected an import path such as {PREFIX}torch_geometric.datasets.Amazon")
    try:
        module = importlib.import_module(module_name)
    except ImportError as e:
        raise DatasetError(f"{PREFIX}{path}: cannot import module {module_name!r} ({e})") from None
    cls = getattr(module, class_name, None)
    if not (inspect.isclass(cls) and issubclass(cls, Dataset)):
        raise DatasetError(f"{PREFIX}{path}: {module_name} has no PyG Dataset class {class_name!r}")
    return cls


def _given(dataset, data) -> list[dict] | None:
    if all(getattr(data, k, None) is not None for k in ("train_mask", "val_mask", "test_mask")):
        return masks_to_splits(data.train_mask, data.val_mask, data.test_mask)
    if hasattr(dataset, "get_idx_split"):
        split = dataset.get_idx_split()
        return [{"train": split["train"], "valid": split["valid"], "test": split["test"]}]
    return None


def _load(ctx: LoadContext, class_path: str, args: dict, key: str) -> LoadedDataset:
    with tempfile.TemporaryDirectory(prefix=f"graphkit-pyg-{key}-") as root:
        return _load_in(ctx, class_path, args, root)


def _load_in(ctx: LoadContext, class_path: str, args: dict, root: str) -> LoadedDataset:
    cls = import_dataset_class(class_path)
    kwargs = {k: v for k, v in args.items() if k not in OWN_ARGS}
    if "root" in inspect.signature(cls).parameters:
        kwargs["root"] = root  # fresh and private: see the module docstring
    where = f"{PREFIX}{class_path}({', '.join(f'{k}={v!r}' for k, v in args.items())})"
    try:
        dataset = cls(**kwargs)
    except TypeError as e:
        raise DatasetError(f"{where}: bad data.args for {cls.__name__} ({e})") from None
    except (OSError, RuntimeError, ValueError) as e:  # downloads on offline machines, bad names
        raise DatasetError(f"{where}: {cls.__name__} failed: {str(e).splitlines()[0] if str(e) else e!r}") \
            from None
    graphs = [dataset[i] for i in range(len(dataset))]  # read now: on-disk datasets load lazily from root
    given = _given(dataset, graphs[0]) if len(graphs) == 1 else None
    for g in graphs:
        for k in ("train_mask", "val_mask", "test_mask"):
            if k in g:
                del g[k]
    options = {k: v for k, v in args.items() if k in OWN_ARGS}
    return build_own_dataset(ctx, graphs, options, where, given=given,
                             given_hint=f"train_mask/val_mask/test_mask on {cls.__name__}'s graph")


def pyg_class_spec(name: str, args: dict) -> DatasetSpec:
    """``pyg:<module.Class>`` with constructor arguments ``args``."""
    class_path = name[len(PREFIX):]
    import_dataset_class(class_path)  # fail at once on a bad path, before any processing
    key = hashlib.sha256(json.dumps(args, sort_keys=True).encode()).hexdigest()[:16]
    spec = own_spec(name, "a PyG dataset class", f"PyG {class_path} with {args}",
                    partial(_load, class_path=class_path, args=args, key=key), key)
    return dataclasses.replace(spec, integrity="unverified (the class's own download)")
