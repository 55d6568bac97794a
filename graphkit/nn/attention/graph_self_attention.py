"""Full multi-head self-attention among the nodes of each graph of a mini-batch."""

from __future__ import annotations

from typing import Optional

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from graphkit.nn.fast_dropout import fast_dropout
from graphkit.nn.attention.padded_batch import PaddedBatch


class GraphSelfAttention(nn.Module):
    """Multi-head attention of every node to every node of its own graph.

    The global branch of `GraphGPS <https://arxiv.org/abs/2205.12454>`_ ("Transformer").
    Same parameterisation as ``torch.nn.MultiheadAttention`` (biased input projection,
    output projection, dropout on the attention weights) but run through
    ``F.scaled_dot_product_attention`` on a padded batch whose layout is computed once
    per mini-batch, with a boolean key mask that is skipped when no graph is padded.

    Args:
        channels: node width ``C`` (must be divisible by ``heads``).
        heads: attention heads (default 4).
        dropout: dropout on the attention weights while training (default 0.0).

    Shapes:
        ``x [N, C]``, ``batch [N]`` -> ``[N, C]``
    """

    def __init__(self, channels: int, heads: int = 4, dropout: float = 0.0) -> None:
        super().__init__()
        if channels % heads != 0:
            raise ValueError(f"channels ({channels}) must be divisible by heads ({heads})")
        self.channels, self.heads, self.dropout = channels, heads, dropout
        self.in_proj = nn.Linear(channels, 3 * channels)
        self.out_proj = nn.Linear(channels, channels)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        # torch.nn.MultiheadAttention's initialisation
        nn.init.xavier_uniform_(self.in_proj.weight)
        nn.init.zeros_(self.in_proj.bias)
        nn.init.zeros_(self.out_proj.bias)

    def _dropout_attention(self, q: Tensor, k: Tensor, v: Tensor, attn_mask: Optional[Tensor]) -> Tensor:
        # SDPA's own dropout draws one Bernoulli per weight; graphkit's fast_dropout
        # draws a quarter as many random words
        scores = torch.matmul(q, k.transpose(-1, -2)) * q.size(-1) ** -0.5  # [B, H, L, L]
        if attn_mask is not None:
            scores = scores.masked_fill(~attn_mask, float("-inf"))
        weights = fast_dropout(torch.softmax(scores, dim=-1), self.dropout, True)
        return torch.matmul(weights, v)

    def forward(
        self, x: Tensor, batch: Optional[Tensor] = None, padded: Optional[PaddedBatch] = None,
    ) -> Tensor:
        if padded is None:
            padded = PaddedBatch.from_batch(batch, x.size(0))
        num_graphs, length = padded.num_graphs, padded.max_nodes
        head_dim = self.channels // self.heads
        qkv = padded.to_dense(self.in_proj(x))  # [B, L, 3C]
        qkv = qkv.view(num_graphs, length, 3, self.heads, head_dim).permute(2, 0, 3, 1, 4)
        attn_mask = None
        if x.size(0) != num_graphs * length:  # some graph is padded
            attn_mask = padded.mask.view(num_graphs, 1, 1, length)
        q, k, v = qkv[0], qkv[1], qkv[2]  # [B, H, L, C/H] each
        if self.training and self.dropout > 0.0:
            out = self._dropout_attention(q, k, v, attn_mask)
        else:
            out = F.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask)
        out = out.transpose(1, 2).reshape(num_graphs, length, self.channels)
        return self.out_proj(padded.to_flat(out))
