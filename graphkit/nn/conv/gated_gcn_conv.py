"""Residual gated graph convolution with edge features updated by the layer."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from graphkit.nn.fast_dropout import fast_dropout


class GatedGCNConv(nn.Module):
    """The GatedGCN layer of `Bresson & Laurent <https://arxiv.org/abs/1711.07553>`_ as
    used by GraphGPS: edge gates computed from both endpoints and the edge feature,
    a gate-normalised neighbour sum, and *updated edge features* that the next layer
    consumes.

    .. math::
        \\hat e_{ij} = D x_i + E x_j + C e_{ij},\\quad
        \\sigma_{ij} = \\mathrm{sigmoid}(\\hat e_{ij}),\\quad
        x_i' = A x_i + \\frac{\\sum_j \\sigma_{ij} \\odot B x_j}{\\sum_j \\sigma_{ij} + 10^{-6}}

    followed by BatchNorm, ReLU and dropout on both ``x'`` and ``\\hat e``, and (with
    ``residual``) the input added back. ``i`` is the target (``edge_index[1]``) and
    ``j`` the source (``edge_index[0]``). The four node projections run as one matmul.

    Args:
        channels: width of node and edge features (input = output).
        dropout: dropout on both outputs (default 0.0).
        residual: add the inputs to the outputs (default True).

    Shapes:
        ``x [N, C]``, ``edge_index [2, E]``, ``edge_attr [E, C]`` ->
        ``(x' [N, C], edge_attr' [E, C])``
    """

    def __init__(self, channels: int, dropout: float = 0.0, residual: bool = True) -> None:
        super().__init__()
        self.channels, self.dropout, self.residual = channels, dropout, residual
        self.node_proj = nn.Linear(channels, 4 * channels)  # A, B, D, E stacked
        self.edge_proj = nn.Linear(channels, channels)  # C
        self.norm_x = nn.BatchNorm1d(channels)
        self.norm_e = nn.BatchNorm1d(channels)

    def forward(self, x: Tensor, edge_index: Tensor, edge_attr: Tensor) -> tuple[Tensor, Tensor]:
        src, dst = edge_index[0], edge_index[1]
        ax, bx, dx, ex = self.node_proj(x).chunk(4, dim=-1)  # 4 x [N, C]
        e_hat = dx.index_select(0, dst) + ex.index_select(0, src) + self.edge_proj(edge_attr)
        gate = torch.sigmoid(e_hat)  # [E, C]
        both = torch.cat([gate * bx.index_select(0, src), gate], dim=-1)  # [E, 2C]
        summed = x.new_zeros(x.size(0), 2 * self.channels).index_add_(0, dst, both)
        num, den = summed.chunk(2, dim=-1)
        x_out = ax + num / (den + 1e-6)
        x_out = fast_dropout(F.relu(self.norm_x(x_out)), self.dropout, self.training)
        e_out = fast_dropout(F.relu(self.norm_e(e_hat)), self.dropout, self.training)
        if self.residual:
            x_out = x + x_out
            e_out = edge_attr + e_out
        return x_out, e_out

    def extra_repr(self) -> str:
        return f"{self.channels}, dropout={self.dropout}, residual={self.residual}"
