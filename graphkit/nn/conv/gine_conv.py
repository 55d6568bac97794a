"""GINE convolution with a single fused gather / index_add aggregation."""

from __future__ import annotations

from typing import Optional

import torch
from torch import Tensor, nn


class GINEConv(nn.Module):
    """The GINE layer of `Hu et al. <https://arxiv.org/abs/1905.12265>`_:
    ``x_i' = MLP((1 + eps) x_i + sum_j ReLU(x_j + e_ji))``.

    Same function and parameters as ``torch_geometric.nn.GINEConv(nn)`` with edge
    features already at the node width; the sum runs as one ``index_add_`` instead of
    PyG's generic ``propagate`` (which costs ~25 % more per GPS layer on CPU).

    Args:
        nn: the MLP applied after aggregation.
        eps: initial epsilon (default 0.0).
        train_eps: learn epsilon (default False).

    Shapes:
        ``x [N, C]``, ``edge_index [2, E]``, ``edge_attr [E, C]``, ``edge_weight [E]``
        (optional, scales each message) -> ``[N, C']``
    """

    def __init__(self, nn: nn.Module, eps: float = 0.0, train_eps: bool = False) -> None:
        super().__init__()
        self.nn = nn
        if train_eps:
            self.eps = torch.nn.Parameter(torch.tensor([eps]))
        else:
            self.register_buffer("eps", torch.tensor([eps]))

    def forward(self, x: Tensor, edge_index: Tensor, edge_attr: Tensor,
                edge_weight: Optional[Tensor] = None) -> Tensor:
        messages = (x.index_select(0, edge_index[0]) + edge_attr).relu_()  # [E, C]
        if edge_weight is not None:  # a sparsifier's per-edge keep weights
            messages = messages * edge_weight.unsqueeze(-1)
        summed = x.new_zeros(x.shape).index_add_(0, edge_index[1], messages)  # [N, C]
        return self.nn(summed + (1 + self.eps) * x)
