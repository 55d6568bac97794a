"""The GSM++ hybrid layer: a bidirectional Mamba over a mixture of node orderings, then
full attention, then an FFN (with an optional local MPNN beside them)."""

from __future__ import annotations

from typing import Optional

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from graphkit.nn.attention import GraphSelfAttention, PaddedBatch
from graphkit.nn.conv import EDGE_CONVS, local_conv_resolver
from graphkit.nn.fast_dropout import fast_dropout
from graphkit.nn.mamba import BiMamba, PackedSequences
from graphkit.nn.norm import norm_resolver


class GSMLayer(nn.Module):
    """The hybrid layer of GSM++ (`Behrouz et al. <https://arxiv.org/abs/2411.15671>`_):
    the nodes, read as ``K`` sequences (one per tokenization: HAC levels, degree order),
    go through a recurrent block (bidirectional Mamba, shared by the ``K`` sequences) and
    then a Transformer block (full attention, which does not depend on the order), each
    with residual and norm, then a 2x-wide ReLU FFN.

    Mixture of tokenizations: each node weighs its ``K`` Mamba outputs with a softmax
    router on its own features; with ``top_k`` it keeps its ``top_k`` best tokenizations
    (weights renormalised over them), as the paper's per-node choice of tokenization.
    A local MPNN (as in GraphGPS) may add its output to the recurrent block's.

    Args:
        channels: hidden width ``C``.
        num_tokenizations: ``K`` (default 1).
        local_conv: ``gine``, ``gatedgcn``, ``gat``, ``gcn`` or ``none`` (default).
        heads: attention heads.
        dropout: dropout after each block and inside the FFN.
        attn_dropout: dropout on the attention weights.
        norm: ``batch`` (default), ``layer`` or ``none``.
        top_k: tokenizations kept per node (0 = all, a soft mixture).
        state_channels, conv_kernel, expand: :class:`MambaBlock` settings.

    Shapes:
        ``x [N, C]``, ``edge_index [2, E]``, ``edge_attr [E, C]`` (edge convs),
        ``batch [N]``, ``padded`` (:class:`PaddedBatch`), ``layout``
        (:class:`PackedSequences` of ``K * N`` tokens: token ``k * N + i`` is node ``i``
        in tokenization ``k``) -> ``(x' [N, C], edge_attr')``
    """

    def __init__(
        self,
        channels: int,
        num_tokenizations: int = 1,
        local_conv: str = "none",
        heads: int = 4,
        dropout: float = 0.0,
        attn_dropout: float = 0.0,
        norm: str = "batch",
        top_k: int = 0,
        state_channels: int = 16,
        conv_kernel: int = 4,
        expand: int = 1,
    ) -> None:
        super().__init__()
        if num_tokenizations < 1 or not 0 <= top_k <= num_tokenizations:
            raise ValueError(f"need num_tokenizations >= 1 and 0 <= top_k <= num_tokenizations, "
                             f"got {num_tokenizations} and {top_k}")
        self.num_tokenizations, self.top_k, self.dropout = num_tokenizations, top_k, dropout
        self.local_kind, self.global_kind = local_conv, "transformer"
        self.local = local_conv_resolver(local_conv, channels, heads, dropout, None)
        self.norm_local = norm_resolver(norm, channels) if self.local is not None else None
        self.mamba = BiMamba(channels, state_channels=state_channels, conv_kernel=conv_kernel,
                             expand=expand)
        self.router = nn.Linear(channels, num_tokenizations) if num_tokenizations > 1 else None
        self.norm_mamba = norm_resolver(norm, channels)
        self.attention = GraphSelfAttention(channels, heads=heads, dropout=attn_dropout)
        self.norm_attention = norm_resolver(norm, channels)
        self.ff1 = nn.Linear(channels, 2 * channels)
        self.ff2 = nn.Linear(2 * channels, channels)
        self.norm_ff = norm_resolver(norm, channels)

    def mix(self, x: Tensor, layout: PackedSequences) -> Tensor:
        """The recurrent block's output: Mamba over every tokenization, mixed per node."""
        num_nodes = x.size(0)
        tokens = x.repeat(self.num_tokenizations, 1)  # [K N, C], one copy per ordering
        out = self.mamba(tokens, layout=layout).view(self.num_tokenizations, num_nodes, -1)
        if self.router is None:
            return out[0]
        weights = torch.softmax(self.router(x), dim=-1)  # [N, K]
        if 0 < self.top_k < self.num_tokenizations:
            top, index = weights.topk(self.top_k, dim=-1)
            weights = torch.zeros_like(weights).scatter(-1, index, top / top.sum(-1, keepdim=True))
        return torch.einsum("nk,knc->nc", weights, out)

    def forward(
        self,
        x: Tensor,
        edge_index: Tensor,
        edge_attr: Optional[Tensor],
        batch: Optional[Tensor],
        padded: PaddedBatch,
        layout: PackedSequences,
    ) -> tuple[Tensor, Optional[Tensor]]:
        h = self.norm_mamba(x + fast_dropout(self.mix(x, layout), self.dropout, self.training))
        if self.local is not None:
            if self.local_kind == "gatedgcn":
                h_local, edge_attr = self.local(x, edge_index, edge_attr)
            else:
                args = (x, edge_index, edge_attr) if self.local_kind in EDGE_CONVS else (x, edge_index)
                h_local = x + fast_dropout(self.local(*args), self.dropout, self.training)
            h = h + self.norm_local(h_local)
        h = self.norm_attention(
            h + fast_dropout(self.attention(h, batch, padded), self.dropout, self.training))
        ff = fast_dropout(F.relu(self.ff1(h)), self.dropout, self.training)
        h = self.norm_ff(h + fast_dropout(self.ff2(ff), self.dropout, self.training))
        return h, edge_attr

    def extra_repr(self) -> str:
        return (f"tokenizations={self.num_tokenizations}, top_k={self.top_k}, "
                f"local={self.local_kind}, dropout={self.dropout}")
