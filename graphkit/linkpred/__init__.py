"""Link-prediction building blocks: CSR adjacencies, batched common-neighbour overlaps,
heuristics, edge splits, target link removal, metrics and topological concentration."""

from graphkit.linkpred.adjacency import build_adjacency
from graphkit.linkpred.common_neighbors import common_neighbor_sum, neighbor_overlap
from graphkit.linkpred.edge_split import random_link_split
from graphkit.linkpred.evaluation import link_metrics
from graphkit.linkpred.heuristics import HEURISTICS, adamic_adar, common_neighbors, resource_allocation
from graphkit.linkpred.negative_sampling import sample_non_edges
from graphkit.linkpred.target_link_removal import TargetLinkRemoval
from graphkit.linkpred.topological_concentration import (
    approximate_topological_concentration,
    per_node_hits,
    topological_concentration,
)

__all__ = [
    "HEURISTICS", "TargetLinkRemoval", "adamic_adar", "approximate_topological_concentration",
    "build_adjacency", "common_neighbor_sum", "common_neighbors", "link_metrics",
    "neighbor_overlap", "per_node_hits", "random_link_split", "resource_allocation",
    "sample_non_edges", "topological_concentration",
]
