"""The typed recipe of ``graphkit lp heuristics CONFIG.yaml [key.path=value ...]``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Union

from graphkit.config import PluginRef, TrackingConfig
from graphkit.linkpred.heuristics import HEURISTICS


@dataclass(frozen=True)
class HeuristicsConfig:
    """Training-free link scores (common neighbours, Adamic-Adar, resource allocation) on
    the same splits and metrics as the trained link models.

    Args:
        dataset: a registered link-prediction dataset (``cora``, ``ogbl-ddi``...).
        heuristics: which scores, from ``cn``, ``aa``, ``ra`` (default all three).
        metric: the primary metric (default the dataset's, e.g. ``hits@100``).
        seeds: seeds of the per-seed edge splits (default ``[0]``; OGB splits are fixed).
        mirror: local dataset mirror (default ``$GRAPHKIT_MIRROR``).
        root: processed-data cache (default ``$GRAPHKIT_DATA``).
        name: run-directory name (default ``heuristics-<config file stem>``).
        tracking: W&B tracking, as ``graphkit train``'s (offline by default).
        plugins: user code imported before the config is typed (:mod:`graphkit.plugins`),
            recorded with each file's sha256.
    """

    dataset: str
    heuristics: tuple[str, ...] = tuple(HEURISTICS)
    metric: Optional[str] = None
    seeds: tuple[int, ...] = (0,)
    mirror: Optional[str] = None
    root: Optional[str] = None
    name: Optional[str] = None
    tracking: TrackingConfig = field(default_factory=TrackingConfig)
    plugins: tuple[Union[str, PluginRef], ...] = ()

    def __post_init__(self) -> None:
        for name in self.heuristics:
            if name not in HEURISTICS:
                raise ValueError(f"heuristics: unknown heuristic {name!r}; valid: {', '.join(HEURISTICS)}")
        if not self.heuristics or not self.seeds:
            raise ValueError("heuristics and seeds must list at least one value")
