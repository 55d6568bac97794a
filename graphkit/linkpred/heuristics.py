"""Training-free link heuristics: common neighbours, Adamic-Adar, resource allocation.

- CN / AA: Liben-Nowell & Kleinberg, https://doi.org/10.1002/asi.20591; Adamic & Adar,
  https://doi.org/10.1016/S0378-8733(03)00009-1
- RA: Zhou, Lü & Zhang, https://arxiv.org/abs/0901.0553

Each scores pairs ``(i, j)`` as ``sum over k in N(i) ∩ N(j) of w(k)`` with ``w = 1``,
``1 / log deg(k)`` and ``1 / deg(k)``: one sparse product of the batch's common-neighbour
matrix with the weight vector.
"""

from __future__ import annotations

from typing import Callable

import torch
from torch import Tensor

from graphkit.linkpred.adjacency import degree
from graphkit.linkpred.common_neighbors import neighbor_overlap


def _weighted_overlap(adj: Tensor, edge_label_index: Tensor, weight: Tensor,
                      batch_size: int) -> Tensor:
    out = []
    for start in range(0, edge_label_index.size(1), batch_size):
        pairs = edge_label_index[:, start:start + batch_size]
        common = neighbor_overlap(adj, adj, pairs).common
        out.append(torch.sparse.mm(common, weight.view(-1, 1)).view(-1))  # [B]
    return torch.cat(out) if out else weight.new_empty(0)


def common_neighbors(adj: Tensor, edge_label_index: Tensor, batch_size: int = 65536) -> Tensor:
    """Number of common neighbours of each pair.

    Shapes:
        ``adj [N, N]`` binary CSR, ``edge_label_index [2, B]`` -> ``[B]``
    """
    weight = torch.ones(adj.size(0), device=adj.device)
    return _weighted_overlap(adj, edge_label_index, weight, batch_size)


def adamic_adar(adj: Tensor, edge_label_index: Tensor, batch_size: int = 65536) -> Tensor:
    """Sum of ``1 / log(deg)`` over common neighbours (a common neighbour has degree >= 2,
    so the logarithm is positive)."""
    deg = degree(adj).float()
    weight = torch.where(deg > 1, 1.0 / torch.log(deg.clamp(min=2)), torch.zeros_like(deg))
    return _weighted_overlap(adj, edge_label_index, weight, batch_size)


def resource_allocation(adj: Tensor, edge_label_index: Tensor,
                        batch_size: int = 65536) -> Tensor:
    """Sum of ``1 / deg`` over common neighbours."""
    deg = degree(adj).float()
    weight = torch.where(deg > 0, 1.0 / deg.clamp(min=1), torch.zeros_like(deg))
    return _weighted_overlap(adj, edge_label_index, weight, batch_size)


HEURISTICS: dict[str, Callable[..., Tensor]] = {
    "cn": common_neighbors,
    "aa": adamic_adar,
    "ra": resource_allocation,
}
