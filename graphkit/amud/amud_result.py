"""The outcome of AMUD on one graph and one training set."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class AMUDResult:
    """AMUD's statistic and its decision.

    Args:
        statistic: label information that edge direction adds, as a share of the label
            entropy: ``(I_dir - I_undir) / H(y)``, each mutual information bias-corrected
            (see :func:`graphkit.amud.amud`).
        threshold: the decision threshold: directed when ``statistic > threshold``.
        directed: the decision.
        info_undirected: ``I(y_centre; y_neighbour)`` over training edges, nats (corrected).
        info_directed: ``I(y_centre; (y_neighbour, direction))``, nats (corrected).
        label_entropy: ``H(y_centre)`` over the same observations, nats.
        train_edges: edges with both ends in the training set (the sample size).
        train_nodes: training nodes used.
    """

    statistic: float
    threshold: float
    directed: bool
    info_undirected: float
    info_directed: float
    label_entropy: float
    train_edges: int
    train_nodes: int

    @property
    def decision(self) -> str:
        return "directed" if self.directed else "undirected"

    def to_dict(self) -> dict:
        return {**asdict(self), "decision": self.decision}
