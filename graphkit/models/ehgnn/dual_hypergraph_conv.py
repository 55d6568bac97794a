"""Hypergraph convolution on a dual hypergraph as two sparse (CSR) matrix products."""

from __future__ import annotations

import torch
from torch import Tensor, nn
from torch_geometric.nn.inits import glorot, zeros

from graphkit.models.ehgnn.dual_operator import DualOperator


class DualHypergraphConv(nn.Module):
    """Hypergraph convolution (`Bai et al. 2021 <https://arxiv.org/abs/1901.08150>`_, EHGNN's
    Eq. 3 in `Jo et al. 2021 <https://arxiv.org/abs/2106.15845>`_):
    ``X' = D^-1 H B^-1 H^T X Θ + b``, with ``H`` the incidence matrix, ``D`` / ``B`` the
    hypernode / hyperedge degrees. The same function as PyG's ``HypergraphConv`` (no
    attention, unit hyperedge weights) on EHGNN's augmented incidence, computed by
    :meth:`DualOperator.propagate` (two CSR products with a hand-written backward) on the
    narrower side of ``Θ``; the operator is built once per edge set and shared by every
    convolution over it (edge update, HyperDrop scores, HyperCluster keys and values).

    Args:
        in_channels, out_channels: widths.
        bias: learn ``b``.

    Shapes:
        ``x [E, in_channels]``, ``dual`` (:class:`DualOperator` of E edges) -> ``[E, out_channels]``
    """

    def __init__(self, in_channels: int, out_channels: int, bias: bool = True) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.empty(in_channels, out_channels))
        self.bias = nn.Parameter(torch.empty(out_channels)) if bias else None
        glorot(self.weight)
        if self.bias is not None:
            zeros(self.bias)

    @staticmethod
    def operator(edge_index: Tensor, num_nodes: int) -> DualOperator:
        """The dual hypergraph of the graph with ``edge_index`` (:meth:`DualOperator.build`)."""
        return DualOperator.build(edge_index, num_nodes)

    def forward(self, x: Tensor, dual: DualOperator) -> Tensor:
        if self.weight.size(0) < self.weight.size(1):  # propagate the narrower features
            out = dual.propagate(x) @ self.weight
        else:
            out = dual.propagate(x @ self.weight)
        return out + self.bias if self.bias is not None else out
