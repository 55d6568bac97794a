"""What every ``graphkit embed`` recipe config shares: the graph, the seed, tracking, plugins."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Union

from graphkit.config import PluginRef, TrackingConfig


@dataclass(frozen=True, kw_only=True)
class EmbedRecipeConfig:
    """Args:
    dataset: a registered dataset (``graphkit data list``); exactly one of ``dataset`` and
        ``graph``.
    graph: a ``.mat`` file with ``network`` and ``group``.
    seed: random state (default 0).
    tracking: W&B tracking, as ``graphkit train``'s (offline by default).
    plugins: user code imported before the config is typed (:mod:`graphkit.plugins`),
        recorded with each file's sha256.
    """

    dataset: Optional[str] = None
    graph: Optional[str] = None
    seed: int = 0
    tracking: TrackingConfig = field(default_factory=TrackingConfig)
    plugins: tuple[Union[str, PluginRef], ...] = ()

    def __post_init__(self) -> None:
        if (self.dataset is None) == (self.graph is None):
            raise ValueError("give exactly one of dataset (--dataset) and graph (--graph)")
