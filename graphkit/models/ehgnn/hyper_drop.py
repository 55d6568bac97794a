"""HyperDrop: drops the edges (hypernodes of the dual hypergraph) with the lowest scores."""

from __future__ import annotations

import torch
from torch import Tensor, nn
from torch_geometric.nn.pool.select.topk import topk

from graphkit.models.ehgnn.dual_hypergraph_conv import DualHypergraphConv
from graphkit.models.ehgnn.dual_operator import DualOperator


class HyperDrop(nn.Module):
    """Edge pooling of `Jo et al. 2021 <https://arxiv.org/abs/2106.15845>`_ (Sec. 3.3): scores
    every hypernode with a hypergraph convolution, ``s = tanh(HConv(E))``, and keeps the
    ``ceil(ratio * E_g)`` best edges of each graph ``g`` (all its nodes stay, so no graph with
    an edge is left without one). The kept scores, clipped to ``[0, 1]``, weight the kept
    edges in the next node convolution, which is how the scorer learns.

    Args:
        channels: edge width.
        ratio: fraction of each graph's edges kept, in (0, 1].

    Shapes:
        ``edge_attr [E, C]``, ``dual`` (:class:`DualOperator`), ``edge_batch [E]`` ->
        ``keep [E']`` (indices of kept edges, ascending), ``weight [E']``
    """

    def __init__(self, channels: int, ratio: float) -> None:
        super().__init__()
        if not 0.0 < ratio <= 1.0:
            raise ValueError(f"ratio must be in (0, 1], got {ratio}")
        self.ratio = ratio
        self.score = DualHypergraphConv(channels, 1)

    def forward(self, edge_attr: Tensor, dual: DualOperator, edge_batch: Tensor) -> tuple[Tensor, Tensor]:
        score = torch.tanh(self.score(edge_attr, dual)).view(-1)  # [E]
        if self.ratio >= 1.0:  # PyG's topk reads a ratio >= 1 as a count of edges
            keep = torch.arange(score.numel(), device=score.device)
        else:
            keep = topk(score, self.ratio, edge_batch).sort().values  # in edge order
        return keep, score[keep].clamp(0.0, 1.0)
