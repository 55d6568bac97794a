"""A new global token mixer in one file: linear attention (Katharopoulos et al., "Transformers
are RNNs", https://arxiv.org/abs/2006.16236) inside GraphGPS, with no edit to graphkit.

    graphkit train configs/gps/zinc.yaml --plugin examples/custom_global_model.py \\
        model.global_model=linear_attention
    graphkit sparsify RUN --config configs/sparsify/zinc-gps-family.yaml

Each graph's nodes attend to each other through the kernel ``elu(.) + 1``: the per-graph sums
``sum_j phi(k_j) v_j^T`` and ``sum_j phi(k_j)`` cost O(N d^2) instead of the O(N^2 d) of
softmax attention, and need no padded layout (the mixer reads ``batch`` only). Registered
with :func:`graphkit.plugins.register_global_model`, it is a ``model.global_model`` of every
GPS-family model; its :meth:`flops` lets ``graphkit sparsify`` count it and meet a FLOPs
budget (:class:`graphkit.nn.attention.MixerFlops`).
"""

from __future__ import annotations

from typing import Optional

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch_geometric.utils import scatter

from graphkit.plugins import register_global_model


class LinearAttention(nn.Module):
    """Multi-head linear attention within each graph of a mini-batch.

    Args:
        channels: node feature width (``heads`` must divide it).
        heads: attention heads.
        dropout: dropout on the output.

    Shapes:
        ``x`` ``[N, channels]``, ``batch`` ``[N]`` -> ``[N, channels]``.
    """

    def __init__(self, channels: int, heads: int = 1, dropout: float = 0.0) -> None:
        super().__init__()
        if channels % heads:
            raise ValueError(f"linear_attention: heads ({heads}) must divide channels ({channels})")
        self.channels, self.heads, self.dropout = channels, heads, dropout
        self.qkv = nn.Linear(channels, 3 * channels)
        self.out = nn.Linear(channels, channels)

    def forward(self, x: Tensor, batch: Tensor) -> Tensor:
        n, h = x.size(0), self.heads
        d = self.channels // h
        q, k, v = self.qkv(x).view(n, 3, h, d).unbind(1)  # [N, H, D] each
        q, k = F.elu(q) + 1, F.elu(k) + 1
        graphs = int(batch.max()) + 1 if n else 0
        # per graph: sum_j phi(k_j) v_j^T [B, H, D, D] and sum_j phi(k_j) [B, H, D]
        kv = scatter(k.unsqueeze(-1) @ v.unsqueeze(-2), batch, dim=0, dim_size=graphs, reduce="sum")
        k_sum = scatter(k, batch, dim=0, dim_size=graphs, reduce="sum")
        num = (q.unsqueeze(-2) @ kv[batch]).squeeze(-2)  # [N, H, D]
        den = (q.unsqueeze(-2) @ k_sum[batch].unsqueeze(-1)).squeeze(-1)  # [N, H, 1]
        out = (num / den.clamp_min(1e-6)).reshape(n, self.channels)
        return F.dropout(self.out(out), self.dropout, self.training)

    def flops(self, num_nodes: int, num_graphs: int, max_nodes: int) -> float:
        """The dense products of one forward (what ``FlopCounterMode`` counts): the q/k/v and
        output projections, the outer products ``phi(k) v^T``, and ``phi(q)`` against the
        per-graph sums."""
        n, c, h = num_nodes, self.channels, self.heads
        d = c // h
        projections = 2.0 * n * c * 3 * c + 2.0 * n * c * c
        return projections + 2.0 * n * h * d * d * 2 + 2.0 * n * h * d


@register_global_model("linear_attention", inputs=("batch",))
def build_linear_attention(channels: int, heads: int = 1, dropout: float = 0.0,
                           options: Optional[dict] = None) -> LinearAttention:
    return LinearAttention(channels, heads=heads, dropout=dropout)
