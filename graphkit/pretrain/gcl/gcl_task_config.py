"""Typed ``task:`` section of the graph contrastive learning tasks (``grace``, ``gca``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Optional

from graphkit.config.run_config import TaskConfig

PROBE_METRICS = ("micro_f1", "macro_f1")


@dataclass(frozen=True)
class POTConfig:
    """``task.pot``: POT's node compactness regularizer (Yu et al., NeurIPS 2023).

    Args:
        weight: ``κ`` in ``(1 - κ) L_InfoNCE + κ L_POT`` (0 = off; the authors use 0.2–0.5).
        edge_drop: the edge-drop rates whose range the compactness of view 1 and view 2 is
            bounded over (each node loses at most ``round(p · degree)`` edges); default
            the views' own ``task.edge_drop``.
        score: what the loss term reads. ``view``: the relaxed score evaluated on each
            sampled view (the authors' code); ``certified``: the certified bound over the
            whole range, the paper's definition of node compactness. The saved
            compactness and the plots are always the certified bound.
    """

    weight: float = 0.0
    edge_drop: Optional[tuple[float, float]] = None
    score: Literal["view", "certified"] = "view"

    def __post_init__(self) -> None:
        if not 0.0 <= self.weight < 1.0:
            raise ValueError(f"task.pot.weight must be in [0, 1), got {self.weight}")
        if self.edge_drop is not None and any(not 0.0 <= p < 1.0 for p in self.edge_drop):
            raise ValueError(f"task.pot.edge_drop: rates must be in [0, 1), got {list(self.edge_drop)}")


@dataclass(frozen=True)
class GCLTaskConfig(TaskConfig):
    """``task.name: grace`` or ``gca``: two augmented views, InfoNCE between them.

    Args:
        edge_drop: drop rates of view 1 and view 2 (GRACE's ``drop_edge_rate_1/2``; GCA's
            mean rate before the cap).
        feature_mask: masking rates of the feature columns of view 1 and view 2.
        tau: temperature of InfoNCE.
        centrality: GCA only: ``degree``, ``pagerank`` or ``evc`` (eigenvector).
        max_drop: GCA only: cap on any edge's or feature's drop probability (``p_τ``, 0.7).
        dense_features: GCA only: feature weights from ``|x|`` instead of ``x != 0``
            (GCA's choice for dense features such as WikiCS).
        loss_nodes: contrast a random subset of this many nodes per step (0 = every node):
            the ``N x N`` similarities become ``loss_nodes²`` (the authors' ``batch_size``
            4096 on PubMed / Amazon Computers / WikiCS).
        probe_split: ``random``: ``probe_seeds`` random splits with shares ``probe_ratios``
            (GCA's and POT's protocol on most datasets); ``dataset``: the dataset's own split
            ``data.split`` (POT's code on Cora / CiteSeer / PubMed: the public split).
        probe_seeds: random 10/10/80 splits of the linear evaluation (>= 1; mean ± std over them).
        probe_ratios: train and validation shares of each probe split (the rest is test).
        probe_C: inverse L2 strengths of the logistic regression, chosen on the validation share.
        probe_normalize: L2-normalize the embedding rows first (GRACE's evaluation); ``false``
            probes the raw rows, as POT's code does (with ``probe_C: [10000]``, close to its
            unregularized logistic regression).
        pot: the POT regularizer (:class:`POTConfig`).
    """

    name: Optional[str] = "grace"
    metric: Optional[str] = "micro_f1"
    edge_drop: tuple[float, float] = (0.2, 0.4)
    feature_mask: tuple[float, float] = (0.3, 0.4)
    tau: float = 0.4
    centrality: Literal["degree", "pagerank", "evc"] = "degree"
    max_drop: float = 0.7
    dense_features: bool = False
    loss_nodes: int = 0
    probe_split: Literal["random", "dataset"] = "random"
    probe_seeds: int = 5
    probe_ratios: tuple[float, float] = (0.1, 0.1)
    probe_C: tuple[float, ...] = (0.01, 0.1, 1.0, 10.0, 100.0)
    probe_normalize: bool = True
    pot: POTConfig = field(default_factory=POTConfig)

    def __post_init__(self) -> None:
        if self.metric not in PROBE_METRICS:
            raise ValueError(f"task.metric must be one of {', '.join(PROBE_METRICS)}, got {self.metric!r}")
        for key in ("edge_drop", "feature_mask"):
            if any(not 0.0 <= p < 1.0 for p in getattr(self, key)):
                raise ValueError(f"task.{key}: rates must be in [0, 1), got {list(getattr(self, key))}")
        if self.tau <= 0:
            raise ValueError(f"task.tau must be > 0, got {self.tau}")
        if not 0.0 < self.max_drop <= 1.0:
            raise ValueError(f"task.max_drop must be in (0, 1], got {self.max_drop}")
        if self.loss_nodes < 0 or self.probe_seeds < 1:
            raise ValueError("task.loss_nodes must be >= 0 and task.probe_seeds >= 1")
        train, valid = self.probe_ratios
        if train <= 0 or valid <= 0 or train + valid >= 1:
            raise ValueError(f"task.probe_ratios: train and valid shares must be > 0 and sum below 1, "
                             f"got {list(self.probe_ratios)}")
        if not self.probe_C or any(c <= 0 for c in self.probe_C):
            raise ValueError(f"task.probe_C: give inverse strengths > 0, got {list(self.probe_C)}")
