"""A GPS layer after structured pruning: kept heads, kept FFN channels, kept tokens and edges."""

from __future__ import annotations

from typing import Optional

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from graphkit.nn.attention.padded_batch import PaddedBatch
from graphkit.nn.conv import local_conv_resolver
from graphkit.nn.norm import norm_resolver
from graphkit.sparsify.gps_flops import LayerSpec
from graphkit.sparsify.pruned_self_attention import PrunedSelfAttention
from graphkit.sparsify.token_selection import per_graph_topk


class CompactGPSLayer(nn.Module):
    """:class:`~graphkit.nn.layers.gps_layer.GPSLayer` in evaluation form with its pruned
    parts physically removed (no masks are multiplied at inference).

    A global branch whose heads were all pruned keeps only ``norm(x + b)`` with ``b``
    the former output-projection bias; an FFN whose channels were all pruned keeps
    ``norm(h + b2)``. Dropout is omitted: compacted models are for inference and for
    the short fine-tuning of the sparsifier, which runs on the masked model.

    Args:
        channels: hidden width ``C``.
        local_conv: ``gine``, ``gatedgcn`` or ``none``.
        heads: kept attention heads (0 = only the bias survives; ``None`` = no global branch).
        head_channels: width of one head.
        ffn_channels: kept FFN hidden channels (0 = only the bias survives).
        token_ratio: fraction of each graph's nodes in the attention.
        edge_ratio: fraction of each graph's edges aggregated by the local branch
            (``gine`` only).
        norm: ``batch`` or ``layer``.

    Shapes:
        ``x [N, C]``, ``edge_index [2, E]``, ``edge_attr [E, C]``, ``batch [N]`` ->
        ``(x' [N, C], edge_attr' [E, C] or None)``
    """

    def __init__(self, channels: int, local_conv: str, heads: Optional[int], head_channels: int,
                 ffn_channels: int, token_ratio: float = 1.0, edge_ratio: float = 1.0,
                 norm: str = "batch") -> None:
        super().__init__()
        if local_conv not in ("gine", "gatedgcn", "none"):
            raise ValueError(f"compacted layers support local_conv gine, gatedgcn or none, not {local_conv!r}")
        if edge_ratio < 1.0 and local_conv != "gine":
            raise ValueError("edge pruning (edge_ratio < 1) is implemented for local_conv gine")
        self.local_kind = local_conv
        self.global_kind = "none" if heads is None else ("transformer" if token_ratio == 1.0 and heads > 0 else "pruned")
        self.heads, self.head_channels, self.ffn_channels = heads, head_channels, ffn_channels
        self.token_ratio, self.edge_ratio = token_ratio, edge_ratio
        self.local = local_conv_resolver(local_conv, channels) if local_conv != "none" else None
        self.edge_scorer = nn.Linear(channels, 1) if edge_ratio < 1.0 else None
        self.norm_local = norm_resolver(norm, channels) if self.local is not None else None
        self.attn = PrunedSelfAttention(channels, heads, head_channels, token_ratio) if heads else None
        self.attn_bias = nn.Parameter(torch.zeros(channels)) if heads == 0 else None
        self.norm_global = norm_resolver(norm, channels) if heads is not None else None
        self.ff1 = nn.Linear(channels, ffn_channels) if ffn_channels else None
        self.ff2 = nn.Linear(ffn_channels, channels) if ffn_channels else None
        self.ff_bias = nn.Parameter(torch.zeros(channels)) if not ffn_channels else None
        self.norm_ff = norm_resolver(norm, channels)

    def _local(self, x: Tensor, edge_index: Tensor, edge_attr: Optional[Tensor],
               batch: Optional[Tensor]) -> tuple[Tensor, Optional[Tensor]]:
        if self.local_kind == "gatedgcn":
            return self.local(x, edge_index, edge_attr)
        if self.edge_scorer is not None:
            if batch is None:
                batch = torch.zeros(x.size(0), dtype=torch.long, device=x.device)
            group = batch.index_select(0, edge_index[0])
            num_graphs = int(batch.max()) + 1 if x.size(0) else 0
            keep = per_graph_topk(self.edge_scorer(edge_attr).squeeze(-1), group, self.edge_ratio, num_graphs)
            h = self.local(x, edge_index[:, keep], edge_attr[keep])
        else:
            h = self.local(x, edge_index, edge_attr)
        return x + h, edge_attr

    def forward(self, x: Tensor, edge_index: Tensor, edge_attr: Optional[Tensor] = None,
                batch: Optional[Tensor] = None, padded: Optional[PaddedBatch] = None,
                ) -> tuple[Tensor, Optional[Tensor]]:
        h = None
        if self.local is not None:
            h_local, edge_attr = self._local(x, edge_index, edge_attr, batch)
            h = self.norm_local(h_local)
        if self.norm_global is not None:
            if self.attn is not None:
                # a layout computed for all nodes is only valid when all nodes attend
                h_global = self.attn(x, batch, padded if self.token_ratio == 1.0 else None)
            else:
                h_global = self.attn_bias
            h_global = self.norm_global(x + h_global)
            h = h_global if h is None else h + h_global
        if self.ff1 is not None:
            h = self.norm_ff(h + self.ff2(F.relu(self.ff1(h))))
        else:
            h = self.norm_ff(h + self.ff_bias)
        return h, edge_attr

    def spec(self) -> LayerSpec:
        """The layer's cost-relevant shape (:mod:`graphkit.sparsify.gps_flops`)."""
        mlp = ()
        if self.local_kind == "gine":
            mlp = tuple((m.in_features, m.out_features) for m in self.local.nn.modules() if isinstance(m, nn.Linear))
        return LayerSpec(local=self.local_kind, local_mlp=mlp, heads=self.heads or 0,
                         head_channels=self.head_channels, ffn_channels=self.ffn_channels,
                         token_ratio=self.token_ratio, edge_ratio=self.edge_ratio,
                         token_scorer=self.attn is not None and self.attn.scorer is not None,
                         edge_scorer=self.edge_scorer is not None)

    def extra_repr(self) -> str:
        return (f"local={self.local_kind}, heads={self.heads}, ffn_channels={self.ffn_channels}, "
                f"token_ratio={self.token_ratio}, edge_ratio={self.edge_ratio}")
