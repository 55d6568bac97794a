"""Build functions of the built-in local convs (registered by :mod:`graphkit.catalog`)."""

from __future__ import annotations

from typing import Optional

from torch import Tensor, nn
from torch_geometric.nn import GATConv, GCNConv, PNAConv

from graphkit.nn.conv.gated_gcn_conv import GatedGCNConv
from graphkit.nn.conv.gine_conv import GINEConv


def build_gine(channels: int, heads: int = 1, dropout: float = 0.0, deg: Optional[Tensor] = None) -> nn.Module:
    """GINE (Hu et al., https://arxiv.org/abs/1905.12265) with GraphGPS's two-layer MLP."""
    mlp = nn.Sequential(nn.Linear(channels, channels), nn.ReLU(), nn.Linear(channels, channels))
    return GINEConv(mlp)


def build_gatedgcn(channels: int, heads: int = 1, dropout: float = 0.0, deg: Optional[Tensor] = None) -> nn.Module:
    """GatedGCN (Bresson & Laurent, https://arxiv.org/abs/1711.07553) with its own residual."""
    return GatedGCNConv(channels, dropout=dropout, residual=True)


def build_gat(channels: int, heads: int = 1, dropout: float = 0.0, deg: Optional[Tensor] = None) -> nn.Module:
    """GAT with edge features; ``heads`` must divide ``channels``."""
    return GATConv(channels, channels // heads, heads=heads, edge_dim=channels)


def build_gcn(channels: int, heads: int = 1, dropout: float = 0.0, deg: Optional[Tensor] = None) -> nn.Module:
    return GCNConv(channels, channels)


def build_pna(channels: int, heads: int = 1, dropout: float = 0.0, deg: Optional[Tensor] = None) -> nn.Module:
    """PNA (Corso et al., https://arxiv.org/abs/2004.05718) as GraphGPS configures it."""
    if deg is None:
        raise ValueError("local_conv 'pna' needs the in-degree histogram (deg)")
    return PNAConv(channels, channels, aggregators=["mean", "max", "sum"], scalers=["identity"], deg=deg,
                   edge_dim=channels, towers=1, pre_layers=1, post_layers=1, divide_input=False)
