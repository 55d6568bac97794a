"""Processed graphs read back from the cache, as a PyG in-memory dataset."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from torch_geometric.data import Data, InMemoryDataset


class GraphCollection(InMemoryDataset):
    """Graphs stored with :meth:`save` (PyG's collated format), indexable and sliceable
    like any PyG dataset (``graphs[idx_tensor]`` is a subset, ``DataLoader(graphs)`` works).

    Args:
        path: a file written by :meth:`GraphCollection.save`.
    """

    def __init__(self, path: str | Path) -> None:
        super().__init__(root=None, log=False)
        self.load(str(path))

    @classmethod
    def write(cls, graphs: Sequence[Data], path: str | Path) -> None:
        """Collates ``graphs`` and writes them to ``path`` (weights-only loadable)."""
        cls.save(list(graphs), str(path))
