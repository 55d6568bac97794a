"""Local message-passing convolutions (the local branch of GPS / GMN layers)."""

from __future__ import annotations

from typing import Optional

from torch import Tensor, nn
from torch_geometric.nn import GATConv, GCNConv, PNAConv

from graphkit.nn.conv.gated_gcn_conv import GatedGCNConv
from graphkit.nn.conv.gine_conv import GINEConv

# What each local conv reads besides ``x``, by keyword: the one list of local convs and of
# which read edge features (``edge_attr``), used by every model config and GPS-family block.
LOCAL_CONV_INPUTS = {
    "gine": ("edge_index", "edge_attr"),
    "gatedgcn": ("edge_index", "edge_attr"),
    "gat": ("edge_index", "edge_attr"),
    "gcn": ("edge_index",),
    "pna": ("edge_index", "edge_attr"),
}
LOCAL_CONVS = (*LOCAL_CONV_INPUTS, "none")
EDGE_CONVS = tuple(kind for kind, inputs in LOCAL_CONV_INPUTS.items() if "edge_attr" in inputs)
# convs that return ``(x', edge_attr')`` and apply their own residual and dropout
EDGE_UPDATING_CONVS = ("gatedgcn",)
# convs built from the training graphs' in-degree histogram, and the convs without one
DEGREE_CONVS = ("pna",)
LOCAL_CONVS_WITHOUT_DEGREES = tuple(kind for kind in LOCAL_CONVS if kind not in DEGREE_CONVS)


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


__all__ = ["DEGREE_CONVS", "EDGE_CONVS", "EDGE_UPDATING_CONVS", "LOCAL_CONVS", "LOCAL_CONVS_WITHOUT_DEGREES",
           "LOCAL_CONV_INPUTS", "GINEConv", "GatedGCNConv", "local_conv_resolver"]
