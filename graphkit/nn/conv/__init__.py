"""Local message-passing convolutions (the local branch of GPS / GMN layers)."""

from __future__ import annotations

from typing import Optional

from torch import Tensor, nn
from torch_geometric.nn import GATConv, GCNConv, PNAConv

from graphkit.nn.conv.gated_gcn_conv import GatedGCNConv
from graphkit.nn.conv.gine_conv import GINEConv

LOCAL_CONVS = ("gine", "gatedgcn", "gat", "gcn", "pna", "none")
# local convs that read edge features
EDGE_CONVS = ("gine", "gatedgcn", "gat", "pna")


def local_conv_resolver(kind: str, channels: int, heads: int = 1, dropout: float = 0.0,
                        deg: Optional[Tensor] = None) -> Optional[nn.Module]:
    """A ``channels -> channels`` convolution by name; ``none`` gives ``None``.

    Args:
        kind: one of :data:`LOCAL_CONVS`.
        heads: GAT heads (must divide ``channels``).
        dropout: GatedGCN's internal dropout.
        deg: in-degree histogram, required by ``pna``.
    """
    if kind == "gine":
        mlp = nn.Sequential(nn.Linear(channels, channels), nn.ReLU(), nn.Linear(channels, channels))
        return GINEConv(mlp)
    if kind == "gatedgcn":
        return GatedGCNConv(channels, dropout=dropout, residual=True)
    if kind == "gat":
        return GATConv(channels, channels // heads, heads=heads, edge_dim=channels)
    if kind == "gcn":
        return GCNConv(channels, channels)
    if kind == "pna":
        if deg is None:
            raise ValueError("local_conv 'pna' needs the in-degree histogram (deg)")
        return PNAConv(channels, channels, aggregators=["mean", "max", "sum"],
                       scalers=["identity"], deg=deg, edge_dim=channels, towers=1,
                       pre_layers=1, post_layers=1, divide_input=False)
    if kind == "none":
        return None
    raise ValueError(f"unknown local_conv {kind!r}; valid: {', '.join(LOCAL_CONVS)}")


__all__ = ["EDGE_CONVS", "LOCAL_CONVS", "GINEConv", "GatedGCNConv", "local_conv_resolver"]
