"""One EHGNN step: a node convolution on the graph and a hypergraph convolution on its dual."""

from __future__ import annotations

import inspect
from typing import Optional

import torch.nn.functional as F
from torch import Tensor, nn

from graphkit.models.ehgnn.csr_gcn import csr_gcn, fits_csr_gcn
from graphkit.models.ehgnn.dual_hypergraph_conv import DualHypergraphConv
from graphkit.models.ehgnn.dual_operator import DualOperator
from graphkit.nn.conv import local_conv_inputs, local_conv_resolver, updates_edges


class EHGNNConv(nn.Module):
    """Updates node features with any registered local conv and edge features with a
    hypergraph convolution on the dual hypergraph (`Jo et al. 2021
    <https://arxiv.org/abs/2106.15845>`_, Eq. 3: ``E' = D^-1 M^T B^-1 M E Θ`` with ``M``
    the graph's incidence matrix; :class:`DualHypergraphConv`).

    The node conv sees the edges' current state: a conv that reads ``edge_attr`` gets the
    edge features (scaled by ``edge_weight`` when given, projected to the node width), one
    whose ``forward`` takes ``edge_weight`` (GCN) gets the weights. PyG's ``GCNConv`` runs
    as CSR products (:func:`~graphkit.models.ehgnn.csr_gcn.csr_gcn`, the same function,
    faster) on graphs without self-loops.

    Args:
        local_conv: registered local conv name (``graphkit.nn.conv.LOCAL_CONVS``).
        channels: node width (in and out).
        edge_in_channels, edge_out_channels: edge widths; ``edge_out_channels=0`` skips
            the edge update (the last layer of HyperDrop).
        heads: heads of attention convs (GAT).

    Shapes:
        ``x [N, C]``, ``edge_index [2, E]``, ``edge_attr [E, D]``, ``edge_weight [E]``,
        ``dual``: the dual's normalized incidences (:class:`DualOperator`)
        -> ``x [N, C]``, ``edge_attr [E, D']``
    """

    def __init__(self, local_conv: str, channels: int, edge_in_channels: int, edge_out_channels: int,
                 heads: int = 1) -> None:
        super().__init__()
        self.node_conv = local_conv_resolver(local_conv, channels, heads=heads)
        self.reads_edge_attr = "edge_attr" in local_conv_inputs(local_conv)
        self.returns_edges = updates_edges(local_conv)
        self.takes_weight = "edge_weight" in inspect.signature(self.node_conv.forward).parameters
        self.edge_proj = (nn.Linear(edge_in_channels, channels) if self.reads_edge_attr and edge_in_channels != channels
                          else nn.Identity())
        self.edge_conv = DualHypergraphConv(edge_in_channels, edge_out_channels) if edge_out_channels else None

    @property
    def weights_edges(self) -> bool:
        """Whether ``edge_weight`` reaches the node conv (HyperDrop's scores learn through it)."""
        return self.reads_edge_attr or self.takes_weight

    def forward(self, x: Tensor, edge_index: Tensor, edge_attr: Tensor, edge_weight: Optional[Tensor],
                dual: DualOperator) -> tuple[Tensor, Tensor]:
        if self.reads_edge_attr:
            e = self.edge_proj(edge_attr)
            if edge_weight is not None:
                e = e * edge_weight.unsqueeze(-1)
            out = self.node_conv(x, edge_index, e)
        elif fits_csr_gcn(self.node_conv, edge_index):  # GCN as CSR products: same values, faster
            out = csr_gcn(self.node_conv, x, edge_index, edge_weight)
        elif self.takes_weight:
            out = self.node_conv(x, edge_index, edge_weight=edge_weight)
        else:
            out = self.node_conv(x, edge_index)
        if self.returns_edges:
            out = out[0]
        x = F.relu(out)
        if self.edge_conv is not None:
            edge_attr = F.relu(self.edge_conv(edge_attr, dual))
        return x, edge_attr
