"""Linear-time (FAVOR+) self-attention among the nodes of each graph of a mini-batch."""

from __future__ import annotations

import math
from typing import Optional

import torch
from torch import Tensor, nn

from graphkit.nn.fast_dropout import FastDropout
from graphkit.nn.attention.padded_batch import PaddedBatch


def _orthogonal_gaussian(rows: int, cols: int, generator: Optional[torch.Generator]) -> Tensor:
    """``rows`` random directions in ``R^cols``, orthogonal within blocks of ``cols``, with
    norms of Gaussian vectors (Performer's orthogonal random features)."""
    blocks = []
    for start in range(0, rows, cols):
        q, _ = torch.linalg.qr(torch.randn(cols, cols, generator=generator))
        blocks.append(q.T[: min(cols, rows - start)])
    norms = torch.randn(rows, cols, generator=generator).norm(dim=1, keepdim=True)
    return torch.cat(blocks) * norms  # [rows, cols]


class PerformerAttention(nn.Module):
    """Multi-head softmax attention among each graph's nodes, approximated with positive
    orthogonal random features (FAVOR+) from `Choromanski et al.
    <https://arxiv.org/abs/2009.14794>`_: cost linear in the number of nodes.

    Unlike ``torch_geometric.nn.attention.PerformerAttention`` (which feeds padded keys
    into the normaliser), padded slots contribute nothing here, so a node's output does
    not depend on the other graphs of the mini-batch.

    Args:
        channels: node width ``C`` (divisible by ``heads``).
        heads: attention heads (default 4).
        dropout: dropout on the output while training (default 0.0).
        num_features: random features per head; default ``int(d * ln d)`` for head width
            ``d`` (Performer's default).
        redraw_interval: draw new random features every this many training forward
            calls (default 1000, as in ``performer-pytorch``); ``None`` never redraws.

    Shapes:
        ``x [N, C]``, ``batch [N]`` -> ``[N, C]``
    """

    def __init__(
        self,
        channels: int,
        heads: int = 4,
        dropout: float = 0.0,
        num_features: Optional[int] = None,
        redraw_interval: Optional[int] = 1000,
    ) -> None:
        super().__init__()
        if channels % heads != 0:
            raise ValueError(f"channels ({channels}) must be divisible by heads ({heads})")
        self.channels, self.heads = channels, heads
        self.head_dim = channels // heads
        self.num_features = num_features or max(1, int(self.head_dim * math.log(self.head_dim)))
        self.redraw_interval = redraw_interval
        self.in_proj = nn.Linear(channels, 3 * channels, bias=False)
        self.out_proj = nn.Linear(channels, channels)
        self.dropout = FastDropout(dropout)
        self.register_buffer(
            "projection", _orthogonal_gaussian(self.num_features, self.head_dim, None)
        )
        self._calls_since_redraw = 0

    @torch.no_grad()
    def redraw_projection(self, generator: Optional[torch.Generator] = None) -> None:
        """Draws a fresh random-feature matrix."""
        fresh = _orthogonal_gaussian(self.num_features, self.head_dim, generator)
        self.projection.copy_(fresh.to(self.projection.device))

    def _features(self, x: Tensor, is_query: bool) -> Tensor:
        # phi(x) = exp(w.x - |x|^2 / 2) / sqrt(m) on x scaled by d^-1/4, an unbiased
        # positive estimate of exp(q.k / sqrt(d)). The subtracted max cancels in the
        # ratio: per row for queries, over all keys for keys.
        x = x * self.head_dim ** -0.25
        proj = x @ self.projection.T  # [N, H, m]
        sq = 0.5 * (x * x).sum(-1, keepdim=True)
        if is_query:
            stab = proj.amax(dim=-1, keepdim=True).detach()
        else:
            stab = proj.amax().detach()
        return (torch.exp(proj - sq - stab) + 1e-6) / math.sqrt(self.num_features)

    def forward(
        self, x: Tensor, batch: Optional[Tensor] = None, padded: Optional[PaddedBatch] = None,
    ) -> Tensor:
        if self.training and self.redraw_interval is not None:
            if self._calls_since_redraw >= self.redraw_interval:
                self.redraw_projection()
                self._calls_since_redraw = 0
            self._calls_since_redraw += 1
        if padded is None:
            padded = PaddedBatch.from_batch(batch, x.size(0))
        num_nodes, heads, dim, feats = x.size(0), self.heads, self.head_dim, self.num_features
        q, k, v = self.in_proj(x).view(num_nodes, 3, heads, dim).unbind(1)  # [N, H, d] each
        phi_q = self._features(q, True).reshape(num_nodes, heads * feats)
        phi_k = self._features(k, False).reshape(num_nodes, heads * feats)
        graphs, length = padded.num_graphs, padded.max_nodes

        def heads_first(t: Tensor, width: int) -> Tensor:  # [N, H*w] -> [B*H, L, w]
            dense = padded.to_dense(t).view(graphs, length, heads, width)
            return dense.transpose(1, 2).reshape(graphs * heads, length, width)

        dq, dk = heads_first(phi_q, feats), heads_first(phi_k, feats)  # padded rows are 0
        dv = heads_first(v.reshape(num_nodes, heads * dim), dim)
        kv = torch.bmm(dk.transpose(1, 2), dv)  # [B*H, m, d]: sum_i phi(k_i) v_i^T
        k_sum = dk.sum(dim=1, keepdim=True)  # [B*H, 1, m]
        num = torch.bmm(dq, kv)  # [B*H, L, d]
        # padded query rows are all-zero: clamp so their 0/0 cannot poison the backward pass
        den = (dq * k_sum).sum(-1, keepdim=True).clamp_min(1e-12)  # [B*H, L, 1]
        out = (num / den).view(graphs, heads, length, dim).transpose(1, 2)
        out = padded.to_flat(out.reshape(graphs, length, self.channels))
        return self.dropout(self.out_proj(out))
