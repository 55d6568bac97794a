"""A registry entry: what a dataset is, where its files come from and how to build it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Optional

from graphkit.datasets.remote_file import RemoteFile

if TYPE_CHECKING:
    from graphkit.datasets.load_context import LoadContext
    from graphkit.datasets.loaded_dataset import LoadedDataset


@dataclass(frozen=True)
class DatasetSpec:
    """Static description of a registered dataset.

    Args:
        name: registry name (``cora``, ``tag:cora``).
        task: task name from :mod:`graphkit.datasets.loaded_dataset`.
        metric: primary metric name.
        source: where the data comes from, for ``graphkit data list`` (short).
        citation: paper link of the dataset or of the protocol it is used with.
        description: one sentence.
        files: raw files the loader needs; fetched and verified before it runs.
        loader: ``loader(ctx) -> LoadedDataset``; runs only when the processed cache
            for the requested options is missing.
        splits: split protocols the loader knows; the first is the default.
        num_graphs, num_nodes, num_edges: published sizes for ``graphkit data list``
            (totals over all graphs; edges counted as directed pairs in ``edge_index``,
            PyG's convention, so an undirected edge counts twice).
        version: bump when the loader's output changes, so old caches are not reused.
        integrity: how raw files are verified: ``pinned`` (sha256 in
            :mod:`graphkit.datasets.checksums`), ``trust-on-first-use`` (family members,
            see :mod:`graphkit.datasets.trust`) or ``local`` (the user's own files).
        fingerprint: digest of the user's own files and options; part of the cache key,
            so an edited file or a changed option is processed again.
        directed: whether the raw edge list is directed (ordered pairs whose direction
            ``data.directed: true`` keeps), ``False`` when the raw edges are undirected,
            ``None`` when the dataset records no direction (``data.directed`` is then refused).
        keep_direction: what an unset ``data.directed`` does with a directed raw edge list:
            ``True`` keeps the loader's output as it is, ``False`` symmetrizes it (what the
            dataset's PyG class does, e.g. ``CitationFull``, ``HeterophilousGraphDataset``).
    """

    name: str
    task: str
    metric: str
    source: str
    citation: str
    description: str
    files: tuple[RemoteFile, ...]
    loader: Callable[["LoadContext"], "LoadedDataset"]
    splits: tuple[str, ...] = ("default",)
    num_graphs: int = 1
    num_nodes: Optional[int] = None
    num_edges: Optional[int] = None
    version: int = 1
    integrity: str = "pinned"
    fingerprint: Optional[str] = None
    directed: Optional[bool] = None
    keep_direction: bool = True

    def __post_init__(self) -> None:
        if not self.splits:
            raise ValueError(f"{self.name}: a dataset needs at least one split protocol")
        paths = [f.path for f in self.files]
        if len(set(paths)) != len(paths):
            raise ValueError(f"{self.name}: duplicate file paths")

    @property
    def default_split(self) -> str:
        return self.splits[0]

    def file(self, path: str) -> RemoteFile:
        for f in self.files:
            if f.path == path:
                return f
        raise KeyError(f"{self.name} has no file {path!r}")
