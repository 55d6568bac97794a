"""The dataset registry: ``load_dataset(DataConfig(name=...))`` -> :class:`LoadedDataset`.

Each family module defines ``SPECS``, a tuple of :class:`DatasetSpec`, registered by the
composition root (:func:`graphkit.catalog.load_datasets`; ``graphkit data list`` shows them)
into the plain table :data:`DATASETS`; dataset families (``tu:``, ``ogb:``, ``pyg:`` and a
plugin's own) go into :data:`DATASET_FAMILIES`. A spec lists its raw files as
:class:`RemoteFile` (mirror path, sha256, canonical URL) and a ``loader(ctx)`` that
builds the dataset from them; :func:`load_dataset` fetches and verifies the files (from
``$GRAPHKIT_MIRROR`` when set, else the URLs), runs the loader once per option set,
adds positional encodings, and caches the result atomically under the data root.

Beyond the registry, ``data.name`` may be a family member (``tu:<NAME>``, ``ogb:<name>``),
a PyG dataset class (``pyg:<module.Class>`` with ``data.args``) or a path to the user's
own graphs; :func:`resolve_dataset` maps any of them to a spec (``graphkit data list --all``).

Adding a dataset: write ``loader(ctx: LoadContext) -> LoadedDataset`` using
``ctx.fetch(path)`` / ``ctx.stage(paths, folder)``, put its files' hashes in
:mod:`graphkit.datasets.checksums`, and append its spec to a module's ``SPECS`` (built-in)
or register it with :func:`graphkit.plugins.register_dataset` (a plugin).

The registry is static metadata: family modules import torch, PyG, pandas, RDKit... inside
their loaders, so ``graphkit data list`` and ``--help`` never load them
(``tests/cli/test_data.py`` checks it).
"""

from graphkit.datasets.dataset_family import DatasetFamily
from graphkit.datasets.dataset_registry import DATASET_FAMILIES, DATASETS
from graphkit.datasets.dataset_spec import DatasetSpec
from graphkit.datasets.load_context import LoadContext
from graphkit.datasets.loaded_dataset import LoadedDataset
from graphkit.datasets.mat_graph import read_mat_graph
from graphkit.datasets.remote_file import RemoteFile
from graphkit.datasets.tag import load_tag_directory


def __getattr__(name: str):
    # GraphCollection subclasses PyG's InMemoryDataset, and loading and resolution reach
    # the family loaders: importing any of them loads torch, so they load on first use
    if name == "GraphCollection":
        from graphkit.datasets.graph_collection import GraphCollection

        return GraphCollection
    if name == "resolve_dataset":
        from graphkit.datasets.resolve import resolve_dataset

        return resolve_dataset
    if name in ("load_dataset", "cache_dir"):
        from graphkit.datasets import loading

        return getattr(loading, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "DATASETS", "DATASET_FAMILIES", "DatasetFamily", "DatasetSpec", "GraphCollection", "LoadContext", "LoadedDataset", "RemoteFile",
    "cache_dir", "load_dataset", "load_tag_directory", "read_mat_graph", "resolve_dataset",
]
