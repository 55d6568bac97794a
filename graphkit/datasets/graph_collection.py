"""Processed graphs read back from the cache, as a PyG in-memory dataset."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import torch
from torch_geometric.data import Data, InMemoryDataset

# Bumped when the stored layout changes; a file of another format is a stale cache.
FORMAT = 2


class GraphCollection(InMemoryDataset):
    """Graphs stored with :meth:`write` (PyG's collated format), indexable and sliceable
    like any PyG dataset (``graphs[idx_tensor]`` is a subset, ``DataLoader(graphs)`` works).

    The file holds plain tensors and dicts only (``Data.to_dict()`` of the collated graph
    and its slices) and is read with ``torch.load(weights_only=True)``: PyG's own
    ``InMemoryDataset.load`` retries with ``weights_only=False``, which would run any
    pickled code someone put in the cache.

    Args:
        path: a file written by :meth:`GraphCollection.write`.

    Raises:
        pickle.UnpicklingError, RuntimeError, EOFError, ValueError: the file is not a
            collection of this format (the dataset cache treats it as stale).
    """

    def __init__(self, path: str | Path) -> None:
        super().__init__(root=None, log=False)
        stored = torch.load(path, map_location="cpu", weights_only=True)
        if not isinstance(stored, dict) or stored.get("format") != FORMAT:
            raise ValueError(f"{path} is not a graph collection of format {FORMAT}")
        self.data = Data.from_dict(stored["data"])
        self.slices = stored["slices"]

    @classmethod
    def write(cls, graphs: Sequence[Data], path: str | Path) -> None:
        """Collates ``graphs`` and writes them to ``path`` as plain tensors and dicts."""
        data, slices = cls.collate(list(graphs))
        torch.save({"format": FORMAT, "data": data.to_dict(), "slices": slices}, path)
