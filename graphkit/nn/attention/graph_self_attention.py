"""Full multi-head self-attention among the nodes of each graph of a mini-batch."""

from __future__ import annotations

from typing import Optional

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.autograd.function import once_differentiable

from graphkit.nn.fast_dropout import fast_dropout, keep_mask
from graphkit.nn.attention.padded_batch import PaddedBatch


class GraphSelfAttention(nn.Module):
    """Multi-head attention of every node to every node of its own graph.

    The global branch of `GraphGPS <https://arxiv.org/abs/2205.12454>`_ ("Transformer").
    Same parameterisation as ``torch.nn.MultiheadAttention`` (biased input projection,
    output projection, dropout on the attention weights) but run through
    ``F.scaled_dot_product_attention`` (or, with attention dropout while training, one
    ``baddbmm``, softmax, dropout and ``bmm``) on a heads-major padded batch whose layout
    and additive key mask are computed once per mini-batch.

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
        qkv = self.in_proj(x)  # [N, 3C]
        if self.training and self.dropout > 0.0:
            out = _PaddedDropoutAttention.apply(qkv, padded, self.heads, self.dropout)
        else:
            num_graphs, length, heads = padded.num_graphs, padded.max_nodes, self.heads
            head_dim = self.channels // heads
            # heads-major padded layout [3, H, B, L, d]: q, k and v are batches of
            # matrices read in place (a [B, H, ...] layout needs a copy of each)
            dense = padded.pad_parts(qkv, 3 * heads).view(3, heads, num_graphs, length, head_dim)
            q, k, v = dense.unbind(0)  # [H, B, L, d] each
            # 4-D inputs: torch's fused CPU (flash) kernel takes them; 3-D ones fall back to
            # the unfused math path, 2x slower at ZINC sizes (and safe-softmax's masking passes)
            bias = padded.key_bias(heads, q.dtype).view(heads, num_graphs, 1, length)
            out = F.scaled_dot_product_attention(q, k, v, attn_mask=bias)
            out = padded.unpad_parts(out.view(heads * num_graphs, length, head_dim), heads)  # [N, C]
        return self.out_proj(out)

    def masked_forward(self, x: Tensor, padded: PaddedBatch, heads: Optional[Tensor] = None,
                       tokens: Optional[Tensor] = None) -> Tensor:
        """:meth:`forward` with GTSP's masks (a sparsifier's path): ``heads [H]`` gates
        each head's output, ``tokens [N]`` masks dropped nodes as keys and scales each
        node's output. With attention dropout while training it runs ``baddbmm``,
        softmax, :func:`fast_dropout` and ``bmm``; otherwise SDPA on the layout of
        :meth:`forward`, so open masks give bit-identical outputs in evaluation.

        Shapes:
            ``x [N, C]``, ``heads [H]``, ``tokens [N]`` -> ``[N, C]``
        """
        b, length, h, d = padded.num_graphs, padded.max_nodes, self.heads, self.channels // self.heads
        qkv = self.in_proj(x)
        dense = padded.pad_parts(qkv, 3 * h).view(3, h * b, length, d)
        q, k, v = dense.unbind(0)  # [H * B, L, d] each
        bias = padded.key_bias(h, q.dtype)  # [H * B, 1, L]
        if tokens is not None:
            dropped = padded.pad_parts(tokens.detach().unsqueeze(-1), 1).view(1, b, length) <= 0
            bias = bias.masked_fill(dropped.expand(h, b, length).reshape(h * b, 1, length), float("-inf"))
        if self.training and self.dropout > 0.0:
            scores = torch.baddbmm(bias, q, k.transpose(1, 2), alpha=d ** -0.5)
            out = torch.bmm(fast_dropout(torch.softmax(scores, dim=-1), self.dropout, True), v)
        else:
            shape = (h, b, length, d)  # 4-D, as forward gives SDPA (its fused kernel)
            out = F.scaled_dot_product_attention(q.view(shape), k.view(shape), v.view(shape),
                                                 attn_mask=bias.view(h, b, 1, length)).view(h * b, length, d)
        out = padded.unpad_parts(out, h)  # [N, C], heads concatenated
        if heads is not None:
            out = (out.view(-1, h, d) * heads.view(1, -1, 1)).view(out.shape)
        if tokens is not None:
            out = out * tokens.unsqueeze(-1)
        return self.out_proj(out)


class _PaddedDropoutAttention(torch.autograd.Function):
    """``softmax(q k^T / sqrt(d) + key_bias)``, dropout, times ``v``, from the packed
    ``[N, 3C]`` projections to the ``[N, C]`` head outputs, with a hand-written backward.

    Autograd's graph of the same ops spends a third of its attention backward on copies
    (stacking the q/k/v gradients, making the padded gradients contiguous for the
    projections) and on separate passes for the softmax scale and the dropout rescale;
    here the gradients are written in place into one ``[3, H * B, L, d]`` buffer, both
    scales ride on the ``bmm`` calls, and padding/unpadding gather straight into the
    layout the next op reads. The dropout mask is drawn over ``[B, H, L, L]``, as
    :meth:`GraphSelfAttention._dropout_attention` draws it, so a seed gives the same mask.
    """

    @staticmethod
    def forward(ctx, qkv: Tensor, padded: PaddedBatch, heads: int, p: float) -> Tensor:
        num_graphs, length = padded.num_graphs, padded.max_nodes
        head_dim = qkv.size(1) // (3 * heads)
        batches = heads * num_graphs
        alpha = head_dim ** -0.5
        dense = padded.pad_parts(qkv, 3 * heads).view(3, batches, length, head_dim)
        q, k, v = dense.unbind(0)  # [H * B, L, d] each
        scores = torch.baddbmm(padded.key_bias(heads, qkv.dtype), q, k.transpose(1, 2), alpha=alpha)
        weights = torch.softmax(scores, dim=-1)  # [H * B, L, L]
        mask, scale = keep_mask((num_graphs, heads, length, length), p, qkv.dtype, qkv.device)
        mask = mask.transpose(0, 1)  # [H, B, L, L] view
        dropped = torch.empty_like(weights)
        torch.mul(weights.view(heads, num_graphs, length, length), mask,
                  out=dropped.view(heads, num_graphs, length, length))
        out = torch.empty_like(q)
        torch.baddbmm(out, dropped, v, beta=0.0, alpha=scale, out=out)  # [H * B, L, d]
        ctx.save_for_backward(dense, weights, mask, dropped)
        ctx.padded, ctx.heads, ctx.alpha, ctx.scale = padded, heads, alpha, scale
        return padded.unpad_parts(out, heads)  # [N, C]

    @staticmethod
    @once_differentiable
    def backward(ctx, grad: Tensor):
        dense, weights, mask, dropped = ctx.saved_tensors
        padded, heads, alpha, scale = ctx.padded, ctx.heads, ctx.alpha, ctx.scale
        batches, length, head_dim = weights.size(0), weights.size(1), dense.size(-1)
        num_graphs = batches // heads
        q, k, v = dense.view(3, batches, length, head_dim).unbind(0)
        grad = padded.pad_parts(grad, heads).view(batches, length, head_dim)  # zero on padding
        grad_qkv = torch.empty(3, batches, length, head_dim, dtype=grad.dtype, device=grad.device)
        grad_q, grad_k, grad_v = grad_qkv.unbind(0)
        torch.baddbmm(grad_v, dropped.transpose(1, 2), grad, beta=0.0, alpha=scale, out=grad_v)
        grad_w = torch.bmm(grad, v.transpose(1, 2))  # [H * B, L, L], times scale below
        grad_w.view(heads, num_graphs, length, length).mul_(mask)
        grad_s = torch._softmax_backward_data(grad_w, weights, -1, weights.dtype)
        torch.baddbmm(grad_q, grad_s, k, beta=0.0, alpha=alpha * scale, out=grad_q)
        torch.baddbmm(grad_k, grad_s.transpose(1, 2), q, beta=0.0, alpha=alpha * scale, out=grad_k)
        return padded.unpad_parts(grad_qkv, 3 * heads), None, None, None
