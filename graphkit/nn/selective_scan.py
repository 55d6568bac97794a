"""Mamba's selective scan in pure PyTorch: a chunked parallel scan, a padding-free
sequential scan with a hand-written backward for short packed sequences (and a slow
reference), with the ``mamba-ssm`` CUDA kernel used instead when it is installed."""

from __future__ import annotations

import math
from typing import Optional

import torch
import torch.nn.functional as F
from torch import Tensor

from graphkit.nn.packed_sequences import PackedSequences

# Per-step log-decays below -_MIN_LOG_DECAY are raised to it: such a step forgets all
# but exp(-16) ~ 1e-7 of the state anyway, and the bound keeps exp(-cumsum) of a chunk
# of _CHUNK steps below exp(64), far from float32 overflow.
_MIN_LOG_DECAY = 16.0
_CHUNK = 4
# Longest packed sequence scanned step by step; longer ones take the chunked parallel
# scan. Measured on ZINC-sized batches (1 thread): the step loop costs ~3 small ops per
# step and direction but touches each state element ~15 times in all, the parallel
# scan ~40 times plus padding (see benchmarks/mamba_layer.py).
SEQUENTIAL_MAX_LENGTH = 256


def _kernel():
    try:
        from mamba_ssm.ops.selective_scan_interface import selective_scan_fn
    except ImportError:
        return None
    return selective_scan_fn


_MAMBA_KERNEL = _kernel()


def linear_scan(log_a: Tensor, x: Tensor, chunk: int = _CHUNK) -> Tensor:
    """Solves ``h_t = exp(log_a_t) * h_{t-1} + x_t`` (``h_0 = x_0``) along dim 1.

    Parallel in the sequence length: within chunks of ``chunk`` steps the recurrence is
    ``h_t = exp(S_t) * cumsum_s(exp(-S_s) x_s)`` with ``S`` the in-chunk cumulative
    log-decay; the states at chunk ends form a sequence ``chunk`` times shorter that is
    solved by the same function (O(log L) levels), then carried into every chunk.
    All work is O(L) tensor operations, no Python loop over steps.

    Args:
        log_a: log-decays (<= 0), ``[B, L, *]``.
        x: inputs, same shape.
        chunk: chunk length (default 4).

    Shapes:
        ``[B, L, *] -> [B, L, *]``
    """
    log_a = log_a.clamp_min(-_MIN_LOG_DECAY)
    length = x.size(1)
    if length <= chunk:
        s = torch.cumsum(log_a, dim=1)
        return torch.exp(s) * torch.cumsum(torch.exp(-s) * x, dim=1)
    num_chunks = math.ceil(length / chunk)
    pad = num_chunks * chunk - length
    rest = x.shape[2:]
    if pad:
        widths = [0, 0] * len(rest) + [0, pad]
        log_a, x = F.pad(log_a, widths), F.pad(x, widths)
    log_a = log_a.view(x.size(0), num_chunks, chunk, *rest)
    x = x.view(x.size(0), num_chunks, chunk, *rest)
    s = torch.cumsum(log_a, dim=2)  # in-chunk cumulative log-decay
    decay = torch.exp(s)
    local = decay * torch.cumsum(torch.exp(-s) * x, dim=2)  # states from a zero start
    ends = linear_scan(s[:, :, -1], local[:, :, -1], chunk)  # [B, num_chunks, *]
    carry = F.pad(ends[:, :-1], [0, 0] * len(rest) + [1, 0])  # state entering each chunk
    h = local + decay * carry.unsqueeze(2)
    return h.reshape(x.size(0), num_chunks * chunk, *rest)[:, :length]


def _prepare(u, delta, A, B, C, delta_bias, delta_softplus):
    delta = delta.float()
    if delta_bias is not None:
        delta = delta + delta_bias.float().view(1, -1, 1)
    if delta_softplus:
        delta = F.softplus(delta)
    # [b, d, l] -> [b, l, d, 1]; [b, n, l] -> [b, l, 1, n]
    delta_t = delta.transpose(1, 2).unsqueeze(-1)
    log_a = delta_t * A.float()  # [b, l, d, n]
    x = (delta_t * u.float().transpose(1, 2).unsqueeze(-1)) * B.float().transpose(1, 2).unsqueeze(2)
    return log_a, x


def _finish(y, u, D, z):
    if D is not None:
        y = y + u.float() * D.float().view(1, -1, 1)
    if z is not None:
        y = y * F.silu(z.float())
    return y


def selective_scan(
    u: Tensor,
    delta: Tensor,
    A: Tensor,
    B: Tensor,
    C: Tensor,
    D: Optional[Tensor] = None,
    z: Optional[Tensor] = None,
    delta_bias: Optional[Tensor] = None,
    delta_softplus: bool = False,
    use_kernel: bool = True,
) -> Tensor:
    """The selective state-space scan of `Mamba <https://arxiv.org/abs/2312.00752>`_,
    with the argument layout of ``mamba_ssm``'s ``selective_scan_fn``::

        h_t = exp(delta_t * A) * h_{t-1} + delta_t * B_t * u_t
        y_t = <C_t, h_t> + D * u_t,   then  y_t *= silu(z_t)

    On CUDA tensors with ``mamba-ssm`` installed its fused kernel runs; otherwise the
    chunked parallel scan :func:`linear_scan` in pure PyTorch.

    Args:
        u: inputs ``[b, d, l]``.
        delta: step sizes ``[b, d, l]`` (before ``delta_bias`` / softplus).
        A: state matrix (diagonal, negative) ``[d, n]``.
        B, C: input-dependent projections ``[b, n, l]``.
        D: skip ``[d]``; z: gate ``[b, d, l]``; delta_bias ``[d]``.
        delta_softplus: apply softplus to ``delta + delta_bias``.
        use_kernel: allow the ``mamba-ssm`` CUDA kernel (default True).

    Shapes:
        -> ``[b, d, l]``
    """
    if use_kernel and _MAMBA_KERNEL is not None and u.is_cuda:
        return _MAMBA_KERNEL(u, delta, A, B, C, D, z, delta_bias, delta_softplus)
    log_a, x = _prepare(u, delta, A, B, C, delta_bias, delta_softplus)
    h = linear_scan(log_a, x)  # [b, l, d, n]
    y = (h * C.float().transpose(1, 2).unsqueeze(2)).sum(-1)  # [b, l, d]
    return _finish(y.transpose(1, 2), u, D, z).to(u.dtype)


def selective_scan_sequential(
    u: Tensor,
    delta: Tensor,
    A: Tensor,
    B: Tensor,
    C: Tensor,
    D: Optional[Tensor] = None,
    z: Optional[Tensor] = None,
    delta_bias: Optional[Tensor] = None,
    delta_softplus: bool = False,
) -> Tensor:
    """The same scan as :func:`selective_scan`, one step at a time (the reference
    semantics of ``mamba_ssm``'s ``selective_scan_ref``); slow, for tests."""
    log_a, x = _prepare(u, delta, A, B, C, delta_bias, delta_softplus)
    c = C.float().transpose(1, 2)  # [b, l, n]
    h = torch.zeros_like(x[:, 0])  # [b, d, n]
    ys = []
    for t in range(x.size(1)):
        h = torch.exp(log_a[:, t]) * h + x[:, t]
        ys.append((h * c[:, t].unsqueeze(1)).sum(-1))
    y = torch.stack(ys, dim=2)  # [b, d, l]
    return _finish(y, u, D, z).to(u.dtype)


class _PackedScan(torch.autograd.Function):
    """``h_t = exp(delta_t A) h_{t-1} + delta_t u_t B_t``, ``y_t = <C_t, h_t>`` over a
    :class:`PackedSequences` slot order, one in-place slice update per step.

    The backward is the adjoint recurrence run in reverse time,
    ``g_{t-1} += exp(delta_t A) g_t`` with ``g_t = C_t gy_t`` to start, so only the states
    and decays (two ``[T, D, N]`` tensors) are stored. States are laid out ``[T, G, N,
    D/G]`` (state index before channel) so that every contraction over the state or the
    channels is a batched vector-matrix product, which on CPU runs 3-25x faster than
    the same product with the 16-wide state as the inner dimension (measured, 1 thread).
    """

    @staticmethod
    def forward(ctx, delta, u, A, B, C, batch_sizes, offsets):
        num_tokens, channels = delta.shape
        groups, state = B.shape[1], B.shape[2]
        width = channels // groups
        rows = num_tokens * groups
        a = A.view(groups, width, state).transpose(1, 2)  # [G, N, D/G]
        decay = torch.mul(delta.view(num_tokens, groups, 1, width), a).exp_()  # [T, G, N, D/G]
        du = (delta * u).view(num_tokens, groups, 1, width)
        h = B.unsqueeze(-1) * du  # [T, G, N, D/G]
        for t in range(1, len(batch_sizes)):
            o, b, p = offsets[t], batch_sizes[t], offsets[t - 1]
            h[o:o + b].addcmul_(decay[o:o + b], h[p:p + b])  # lanes of step t extend step t-1's
        y = torch.bmm(C.reshape(rows, 1, state), h.view(rows, state, width))
        ctx.save_for_backward(delta, u, A, B, C, decay, h)
        ctx.steps = (batch_sizes, offsets)
        return y.view(num_tokens, channels)

    @staticmethod
    def backward(ctx, gy):
        delta, u, A, B, C, decay, h = ctx.saved_tensors
        batch_sizes, offsets = ctx.steps
        num_tokens, channels = delta.shape
        groups, state = B.shape[1], B.shape[2]
        width = channels // groups
        rows = num_tokens * groups
        gy = gy.contiguous().view(num_tokens, groups, 1, width)
        gh = C.unsqueeze(-1) * gy  # [T, G, N, D/G]
        for t in range(len(batch_sizes) - 1, 0, -1):
            o, b, p = offsets[t], batch_sizes[t], offsets[t - 1]
            gh[p:p + b].addcmul_(decay[o:o + b], gh[o:o + b])
        du = delta * u
        gh_rows = gh.view(rows, state, width)
        grad_du = torch.bmm(B.reshape(rows, 1, state), gh_rows).view(num_tokens, channels)
        grad_B = torch.bmm(gh_rows, du.view(rows, width, 1)).view(num_tokens, groups, state)
        grad_C = torch.bmm(h.view(rows, state, width), gy.view(rows, width, 1))
        # d loss / d log-decay_t = g_t * decay_t * h_{t-1}  (h_{-1} = 0)
        w = gh.mul_(decay)
        if batch_sizes:
            w[:batch_sizes[0]].zero_()
        for t in range(1, len(batch_sizes)):
            o, b, p = offsets[t], batch_sizes[t], offsets[t - 1]
            w[o:o + b].mul_(h[p:p + b])
        a = A.view(groups, width, state).transpose(1, 2)
        grad_delta = (w * a).sum(2).view(num_tokens, channels) + grad_du * u
        grad_a = (w * delta.view(num_tokens, groups, 1, width)).sum(0)  # [G, N, D/G]
        grad_A = grad_a.transpose(1, 2).reshape(channels, state)
        return (grad_delta, grad_du * delta, grad_A, grad_B,
                grad_C.view(num_tokens, groups, state), None, None)


def packed_selective_scan(delta: Tensor, u: Tensor, A: Tensor, B: Tensor, C: Tensor,
                          layout: PackedSequences, use_kernel: bool = True) -> Tensor:
    """The selective scan of :func:`selective_scan` (without skip and gate) over
    sequences packed by ``layout``, with ``G`` groups of channels that have their own
    ``B`` and ``C`` (the directions of a bidirectional Mamba, stacked along channels).

    Short sequences (at most ``SEQUENTIAL_MAX_LENGTH`` steps) on CPU run the padding-free
    step loop :class:`_PackedScan`; longer ones, or CUDA with ``mamba-ssm``, are padded
    per group and run through :func:`selective_scan` (the chunked parallel scan or the
    kernel).

    Args:
        delta: positive step sizes ``[T, D]`` (softplus already applied), slot order.
        u: inputs ``[T, D]``.
        A: state matrix ``[D, N]`` (negative).
        B, C: ``[T, G, N]``; ``D`` must be divisible by ``G``.
        layout: the :class:`PackedSequences` the rows follow.
        use_kernel: allow the ``mamba-ssm`` CUDA kernel.

    Shapes:
        -> ``[T, D]``
    """
    kernel = use_kernel and _MAMBA_KERNEL is not None and u.is_cuda
    if not kernel and layout.max_length <= SEQUENTIAL_MAX_LENGTH:
        return _PackedScan.apply(delta.float(), u.float(), A.float(), B.float(), C.float(),
                                 layout.batch_sizes, layout.offsets).to(u.dtype)
    lanes, length = layout.num_lanes, layout.max_length
    groups = B.size(1)
    width = u.size(1) // groups
    index = layout.padded_index()

    def pad(x: Tensor) -> Tensor:  # [T, K] -> [lanes, K, L]
        out = x.new_zeros(lanes * length, x.size(-1)).index_copy(0, index, x)
        return out.view(lanes, length, -1).transpose(1, 2)

    outs = []
    for g in range(groups):
        part = slice(g * width, (g + 1) * width)
        y = selective_scan(pad(u[:, part]), pad(delta[:, part]), A[part], pad(B[:, g]),
                           pad(C[:, g]), use_kernel=use_kernel)  # [lanes, width, L]
        outs.append(y.transpose(1, 2).reshape(lanes * length, width).index_select(0, index))
    return torch.cat(outs, dim=1)
