"""AMUD: decide from the training labels whether a directed graph is better modelled as
directed or as undirected (Sun et al., "Breaking the Entanglement of Homophily and
Heterophily in Semi-supervised Node Classification", ICDE 2024,
https://arxiv.org/abs/2312.04111). :func:`amud` computes the statistic,
:class:`AMUDResult` holds it with its decision."""

from graphkit.amud.amud_result import AMUDResult
from graphkit.amud.statistic import DEFAULT_THRESHOLD, amud, edge_direction_counts

__all__ = ["AMUDResult", "DEFAULT_THRESHOLD", "amud", "edge_direction_counts"]
