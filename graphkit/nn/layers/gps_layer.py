"""One GraphGPS layer: a local MPNN and a global attention branch in parallel, then an FFN."""

from __future__ import annotations

from typing import Optional

import torch.nn.functional as F
from torch import Tensor, nn

from graphkit.nn.attention import global_model_resolver
from graphkit.nn.conv import EDGE_CONVS, local_conv_resolver
from graphkit.nn.fast_dropout import fast_dropout
from graphkit.nn.norm import norm_resolver
from graphkit.nn.attention.padded_batch import PaddedBatch

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
        self.local = local_conv_resolver(local_conv, channels, heads, dropout, deg)
        self.global_model = global_model_resolver(global_model, channels, heads, attn_dropout, mamba_kwargs)
        self.norm_local = norm_resolver(norm, channels) if self.local is not None else None
        self.norm_global = norm_resolver(norm, channels) if self.global_model is not None else None
        self.ff1 = nn.Linear(channels, 2 * channels)
        self.ff2 = nn.Linear(2 * channels, channels)
        self.norm_ff = norm_resolver(norm, channels)

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
