"""Multi-head self-attention over a learned subset of each graph's nodes, with any number of heads."""

from __future__ import annotations

from typing import Optional

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from graphkit.nn.attention.padded_batch import PaddedBatch
from graphkit.sparsify.token_selection import per_graph_topk


class PrunedSelfAttention(nn.Module):
    """The attention of a compacted GPS layer: ``heads`` heads of ``head_channels`` each
    (the survivors of head pruning, so ``heads * head_channels`` need not equal
    ``channels``), among the ``ceil(token_ratio * n_g)`` top-scored nodes of each graph
    (GTSP's token sparsification, `Liu et al. <https://arxiv.org/abs/2312.05479>`_).
    Dropped nodes are never projected; their output is the output bias, as in the
    masked model (which zeroes their attention rows before the output projection).

    Args:
        channels: node width ``C``.
        heads: kept heads (>= 1).
        head_channels: width of one head.
        token_ratio: fraction of each graph's nodes that attend (1.0 = all, no scorer).

    Shapes:
        ``x [N, C]``, ``batch [N]`` -> ``[N, C]``
    """

    def __init__(self, channels: int, heads: int, head_channels: int, token_ratio: float = 1.0) -> None:
        super().__init__()
        if heads < 1 or head_channels < 1:
            raise ValueError("heads and head_channels must be >= 1")
        if not 0.0 < token_ratio <= 1.0:
            raise ValueError(f"token_ratio must be in (0, 1], got {token_ratio}")
        self.channels, self.heads, self.head_channels = channels, heads, head_channels
        self.token_ratio = token_ratio
        self.in_proj = nn.Linear(channels, 3 * heads * head_channels)
        self.out_proj = nn.Linear(heads * head_channels, channels)
        self.scorer = nn.Linear(channels, 1) if token_ratio < 1.0 else None

    def forward(self, x: Tensor, batch: Optional[Tensor] = None, padded: Optional[PaddedBatch] = None) -> Tensor:
        if batch is None:
            batch = torch.zeros(x.size(0), dtype=torch.long, device=x.device)
        if self.scorer is not None:
            padded = None  # a layout computed for all nodes is only valid when all nodes attend
        num_graphs = padded.num_graphs if padded is not None else None
        keep = None
        if self.scorer is not None:
            if num_graphs is None:
                num_graphs = int(batch.max()) + 1 if x.size(0) else 0
            keep = per_graph_topk(self.scorer(x).squeeze(-1), batch, self.token_ratio, num_graphs)
            keep = keep.nonzero().squeeze(-1)
            x_in, batch_in = x.index_select(0, keep), batch.index_select(0, keep)  # [N', C]
            padded = PaddedBatch.from_batch(batch_in, x_in.size(0), num_graphs)
        else:
            x_in = x
            if padded is None:
                padded = PaddedBatch.from_batch(batch, x.size(0))
        b, length, hd = padded.num_graphs, padded.max_nodes, self.heads * self.head_channels
        qkv = padded.to_dense(self.in_proj(x_in))  # [B, L, 3 H d]
        qkv = qkv.view(b, length, 3, self.heads, self.head_channels).permute(2, 0, 3, 1, 4)
        attn_mask = None
        if x_in.size(0) != b * length:
            attn_mask = padded.mask.view(b, 1, 1, length)
        out = F.scaled_dot_product_attention(qkv[0], qkv[1], qkv[2], attn_mask=attn_mask)
        out = self.out_proj(padded.to_flat(out.transpose(1, 2).reshape(b, length, hd)))  # [N', C]
        if keep is None:
            return out
        # a dropped node's attention output is the projection of zero (the masked model's)
        return self.out_proj.bias.expand(x.size(0), -1).index_copy(0, keep, out)

    def extra_repr(self) -> str:
        return f"channels={self.channels}, heads={self.heads}, head_channels={self.head_channels}, token_ratio={self.token_ratio}"
