"""The graph an embedding recipe reads: a registered dataset or a ``.mat`` file."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

from graphkit.config import DataConfig
from graphkit.datasets import load_dataset, read_mat_graph
from graphkit.errors import ConfigError


def load_graph(dataset: Optional[str], path: Optional[str | Path]) -> tuple[Any, Any, Any]:
    """``(graph, labels, features)`` of a registered dataset or of a ``.mat`` file with
    ``network`` and ``group`` variables.

    The graph is a PyG ``Data`` (registry) or a scipy adjacency (``.mat``); labels are
    ``data.y`` or the ``group`` matrix; features are ``data.x`` or None.
    """
    if path is not None:
        adjacency, labels = read_mat_graph(Path(path))
        return adjacency, labels, None
    loaded = load_dataset(DataConfig(name=dataset))
    if loaded.data is None:
        raise ConfigError(f"dataset {dataset!r} is graph-level; node embeddings need a single graph")
    data = loaded.data
    return data, getattr(data, "y", None), getattr(data, "x", None)


def graph_name(dataset: Optional[str], path: Optional[str | Path]) -> str:
    """How results name the graph: the dataset's name or the file's path."""
    return dataset or str(path)
