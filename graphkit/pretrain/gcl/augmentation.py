"""The two augmentations of GRACE / GCA: edge dropping and feature masking, uniform
(GRACE) or with centrality-adaptive probabilities (GCA).

GCA (Zhu et al., https://arxiv.org/abs/2010.14945, Sec. 3.2): with ``s`` the log-centrality
of an edge (or the log of a feature's centrality-weighted frequency), the probability of
dropping it is ``min((s_max - s) / (s_max - mean(s)) * p, p_max)``, so important edges and
features are dropped less, and the mean probability stays ``p`` below the cap. As in the
authors' code, an edge's centrality is its target node's, and a feature's weight is
``sum_u [x_uf != 0] * phi(u)`` (``dense``: ``sum_u |x_uf| * phi(u)``).
"""

from __future__ import annotations

import torch
from torch import Tensor
from torch_geometric.utils import degree, to_undirected

CENTRALITIES = ("degree", "pagerank", "evc")


def drop_edges(edge_index: Tensor, p: Tensor | float) -> Tensor:
    """Keeps each (directed) edge with probability ``1 - p`` (``p``: a scalar or one per edge)."""
    if isinstance(p, float) and p == 0.0:
        return edge_index
    prob = torch.as_tensor(p, dtype=torch.float, device=edge_index.device).expand(edge_index.size(1))
    keep = torch.rand(edge_index.size(1), device=edge_index.device) >= prob
    return edge_index[:, keep]


def feature_keep_mask(num_features: int, p: Tensor | float, device: torch.device | str = "cpu") -> Tensor:
    """``[F]`` 0/1 float mask keeping each feature column with probability ``1 - p``."""
    prob = torch.as_tensor(p, dtype=torch.float, device=device).expand(num_features)
    return (torch.rand(num_features, device=device) >= prob).float()


def mask_features(x: Tensor, p: Tensor | float) -> Tensor:
    """Zeroes each feature column with probability ``p`` (a scalar or one per column)."""
    if isinstance(p, float) and p == 0.0:
        return x
    return x * feature_keep_mask(x.size(1), p, x.device).to(x.dtype)


def node_centrality(edge_index: Tensor, num_nodes: int, kind: str) -> Tensor:
    """``degree`` (of the undirected graph), ``pagerank`` (damping 0.85, 10 iterations,
    GCA's) or ``evc`` (eigenvector centrality: power iteration on ``A + I``, networkx's)."""
    if kind == "degree":
        return degree(to_undirected(edge_index, num_nodes=num_nodes)[1], num_nodes)
    if kind == "pagerank":
        return pagerank(edge_index, num_nodes)
    if kind == "evc":
        return eigenvector_centrality(edge_index, num_nodes)
    raise ValueError(f"centrality must be one of {', '.join(CENTRALITIES)}, got {kind!r}")


def pagerank(edge_index: Tensor, num_nodes: int, damping: float = 0.85, iterations: int = 10) -> Tensor:
    """GCA's PageRank: ``x <- (1 - d) + d * sum_{(j, i)} x_j / outdeg_j`` from ``x = 1``."""
    src, dst = edge_index
    out_degree = degree(src, num_nodes).clamp_min(1.0)
    x = torch.ones(num_nodes, device=edge_index.device)
    for _ in range(iterations):
        flow = torch.zeros_like(x).index_add_(0, dst, (x / out_degree)[src])
        x = (1 - damping) * x + damping * flow
    return x


def eigenvector_centrality(edge_index: Tensor, num_nodes: int, max_iter: int = 100, tol: float = 1e-6) -> Tensor:
    """Leading eigenvector of the undirected adjacency, unit 2-norm, by power iteration on
    ``A + I`` (same fixed point and stopping rule as ``networkx.eigenvector_centrality``)."""
    src, dst = to_undirected(edge_index, num_nodes=num_nodes)
    x = torch.full((num_nodes,), 1.0 / num_nodes, dtype=torch.float64, device=edge_index.device)
    for _ in range(max_iter):
        last = x
        x = last.clone().index_add_(0, dst, last[src])
        x = x / x.norm().clamp_min(1e-300)
        if (x - last).abs().sum() < num_nodes * tol:
            break
    return x.float()


def _adaptive(s: Tensor, p: float, p_max: float) -> Tensor:
    s_max = s.max()
    weights = (s_max - s) / (s_max - s.mean()).clamp_min(1e-12)
    return (weights * p).clamp(max=p_max)


def gca_edge_drop_probs(edge_index: Tensor, centrality: Tensor, p: float, p_max: float = 0.7) -> Tensor:
    """Per-edge drop probabilities: ``s_uv = log phi(v)`` of each edge's target ``v``."""
    s = centrality.clamp_min(1e-8).log()[edge_index[1]]
    return _adaptive(s, p, p_max)


def gca_feature_mask_probs(x: Tensor, centrality: Tensor, p: float, p_max: float = 0.7,
                           dense: bool = False) -> Tensor:
    """Per-feature mask probabilities from ``w_f = sum_u [x_uf != 0] phi(u)`` (``dense``:
    ``|x_uf|`` instead of the indicator), ``s_f = log w_f``."""
    weight = (x.abs() if dense else (x != 0).float()).t() @ centrality.float()  # [F]
    return _adaptive(weight.clamp_min(1e-8).log(), p, p_max)
