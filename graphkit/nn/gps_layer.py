"""One GraphGPS layer: a local MPNN and a global attention branch in parallel, then an FFN."""

from __future__ import annotations

from typing import Optional

import torch.nn.functional as F
from torch import Tensor, nn
from torch_geometric.nn import GATConv, GCNConv, PNAConv

from graphkit.nn.fast_dropout import fast_dropout
from graphkit.nn.gated_gcn_conv import GatedGCNConv
from graphkit.nn.gine_conv import GINEConv
from graphkit.nn.graph_self_attention import GraphSelfAttention
from graphkit.nn.graph_sequence_mamba import GraphSequenceMamba
from graphkit.nn.padded_batch import PaddedBatch
from graphkit.nn.performer_attention import PerformerAttention

LOCAL_CONVS = ("gine", "gatedgcn", "gat", "gcn", "pna", "none")
GLOBAL_MODELS = ("transformer", "performer", "mamba", "none")
# local convs that read edge features
EDGE_CONVS = ("gine", "gatedgcn", "gat", "pna")


def _make_norm(norm: str, channels: int) -> nn.Module:
    if norm == "batch":
        return nn.BatchNorm1d(channels)
    if norm == "layer":
        return nn.LayerNorm(channels)
    if norm == "none":
        return nn.Identity()
    raise ValueError(f"norm must be 'batch', 'layer' or 'none', got {norm!r}")


def _make_local(kind: str, channels: int, heads: int, dropout: float,
                deg: Optional[Tensor]) -> Optional[nn.Module]:
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


def _make_global(kind: str, channels: int, heads: int, attn_dropout: float,
                 mamba_kwargs: Optional[dict]) -> Optional[nn.Module]:
    if kind == "transformer":
        return GraphSelfAttention(channels, heads=heads, dropout=attn_dropout)
    if kind == "performer":
        return PerformerAttention(channels, heads=heads, dropout=attn_dropout)
    if kind == "mamba":
        return GraphSequenceMamba(channels, **(mamba_kwargs or {}))
    if kind == "none":
        return None
    raise ValueError(f"unknown global_model {kind!r}; valid: {', '.join(GLOBAL_MODELS)}")


class GPSLayer(nn.Module):
    """The layer of `GraphGPS <https://arxiv.org/abs/2205.12454>`_ (Rampášek et al.).

    ``h_local = norm(x + dropout(MPNN(x, E)))`` and ``h_global = norm(x +
    dropout(Attn(x)))`` are computed in parallel from the same input, summed, and passed
    through a 2x-wide ReLU FFN with residual and norm. GatedGCN applies its own dropout
    and residual (and returns updated edge features, carried to the next layer), as in
    the reference implementation.

    Args:
        channels: hidden width ``C``.
        local_conv: ``gine``, ``gatedgcn``, ``gat``, ``gcn``, ``pna`` or ``none``.
        global_model: ``transformer`` (full attention), ``performer`` (linear-time),
            ``mamba`` (bidirectional Mamba over degree-ordered nodes, Graph-Mamba) or
            ``none``.
        heads: attention heads (GAT's heads too).
        dropout: dropout after each branch and inside the FFN (default 0.0).
        attn_dropout: dropout inside the attention (default 0.0).
        norm: ``batch`` (default), ``layer`` or ``none``.
        deg: in-degree histogram for ``pna``.
        mamba_kwargs: keyword arguments of :class:`GraphSequenceMamba`.

    Shapes:
        ``x [N, C]``, ``edge_index [2, E]``, ``edge_attr [E, C]`` (edge convs),
        ``batch [N]`` -> ``(x' [N, C], edge_attr' [E, C] or None)``
    """

    def __init__(
        self,
        channels: int,
        local_conv: str = "gine",
        global_model: str = "transformer",
        heads: int = 4,
        dropout: float = 0.0,
        attn_dropout: float = 0.0,
        norm: str = "batch",
        deg: Optional[Tensor] = None,
        mamba_kwargs: Optional[dict] = None,
    ) -> None:
        super().__init__()
        if local_conv == "none" and global_model == "none":
            raise ValueError("a GPS layer needs a local_conv or a global_model")
        self.local_kind, self.global_kind, self.dropout = local_conv, global_model, dropout
        self.local = _make_local(local_conv, channels, heads, dropout, deg)
        self.global_model = _make_global(global_model, channels, heads, attn_dropout, mamba_kwargs)
        self.norm_local = _make_norm(norm, channels) if self.local is not None else None
        self.norm_global = _make_norm(norm, channels) if self.global_model is not None else None
        self.ff1 = nn.Linear(channels, 2 * channels)
        self.ff2 = nn.Linear(2 * channels, channels)
        self.norm_ff = _make_norm(norm, channels)

    def forward(
        self,
        x: Tensor,
        edge_index: Tensor,
        edge_attr: Optional[Tensor] = None,
        batch: Optional[Tensor] = None,
        padded: Optional[PaddedBatch] = None,
    ) -> tuple[Tensor, Optional[Tensor]]:
        h = None
        if self.local is not None:
            if self.local_kind == "gatedgcn":
                h_local, edge_attr = self.local(x, edge_index, edge_attr)
            else:
                if self.local_kind in EDGE_CONVS:
                    h_local = self.local(x, edge_index, edge_attr)
                else:
                    h_local = self.local(x, edge_index)
                h_local = x + fast_dropout(h_local, self.dropout, self.training)
            h = self.norm_local(h_local)
        if self.global_model is not None:
            if self.global_kind == "mamba":
                h_global = self.global_model(x, edge_index, batch)
            else:
                if padded is None:
                    padded = PaddedBatch.from_batch(batch, x.size(0))
                h_global = self.global_model(x, batch, padded)
            h_global = self.norm_global(x + fast_dropout(h_global, self.dropout, self.training))
            h = h_global if h is None else h + h_global
        ff = fast_dropout(F.relu(self.ff1(h)), self.dropout, self.training)
        h = self.norm_ff(h + fast_dropout(self.ff2(ff), self.dropout, self.training))
        return h, edge_attr

    def extra_repr(self) -> str:
        return f"local={self.local_kind}, global={self.global_kind}, dropout={self.dropout}"
