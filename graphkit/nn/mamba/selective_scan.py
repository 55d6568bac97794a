"""Mamba's selective scan: :func:`packed_selective_scan` dispatches to graphkit's fused
CPU kernel (:mod:`graphkit.nn.mamba.cpu_scan_kernel`) when it builds, else to pure PyTorch: a
padding-free step loop with a hand-written adjoint backward over packed sequences, a
chunked parallel scan (very long sequences), and the ``mamba-ssm`` CUDA kernel when it
is installed; plus a slow step-by-step reference for tests."""

from __future__ import annotations

import math
from typing import Optional

import torch
import torch.nn.functional as F
from torch import Tensor

from graphkit.nn.mamba.cpu_scan_kernel import fused_kernel_available
from graphkit.nn.mamba.fused_packed_scan import FusedPackedScan
from graphkit.nn.mamba.packed_sequences import PackedSequences

# Per-step log-decays below -_MIN_LOG_DECAY are raised to it: such a step forgets all
# but exp(-16) ~ 1e-7 of the state anyway, and the bound keeps exp(-cumsum) of a chunk
# of _CHUNK steps below exp(64), far from float32 overflow.
_MIN_LOG_DECAY = 16.0
_CHUNK = 4
# Longest packed sequence scanned step by step; longer ones take the chunked parallel
# scan. Measured fwd+bwd, 1 loaded thread, G=2 x 64 channels, N=16: step loop vs padded
# parallel scan 22 vs 183 ms (ZINC-like, L<=38), 206 vs 894 (32 x 150), 126 vs 335 (one
# sequence of 2708): the loop's per-step cost is small next to the parallel scan's
# ~40 passes over the state. Longer sequences were not measured.
SEQUENTIAL_MAX_LENGTH = 4096


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


def selective_scan(u: Tensor, delta: Tensor, A: Tensor, B: Tensor, C: Tensor, D: Optional[Tensor] = None,
                   z: Optional[Tensor] = None, delta_bias: Optional[Tensor] = None,
                   delta_softplus: bool = False, use_kernel: bool = True) -> Tensor:
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


def selective_scan_sequential(u: Tensor, delta: Tensor, A: Tensor, B: Tensor, C: Tensor,
                              D: Optional[Tensor] = None, z: Optional[Tensor] = None,
                              delta_bias: Optional[Tensor] = None, delta_softplus: bool = False) -> Tensor:
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


# Elements of one block of the state tensor processed at a time by the packed scan: a
# few steps of all lanes, small enough (1 MiB) to stay in cache while every product and
# reduction of those steps reads it.
_BLOCK_ELEMENTS = 1 << 18
_LOG2_E = 1.0 / math.log(2.0)


def _blocks(batch_sizes: tuple[int, ...], offsets: tuple[int, ...], row_elements: int):
    """Consecutive step ranges ``(t0, t1, r0, r1)`` (steps ``t0 .. t1-1``, slot rows
    ``r0 .. r1-1``) of at most ``_BLOCK_ELEMENTS`` state elements (at least one step)."""
    max_rows = max(1, _BLOCK_ELEMENTS // row_elements)
    blocks, t0 = [], 0
    while t0 < len(batch_sizes):
        t1 = t0 + 1
        while t1 < len(batch_sizes) and offsets[t1] + batch_sizes[t1] - offsets[t0] <= max_rows:
            t1 += 1
        blocks.append((t0, t1, offsets[t0], offsets[t1 - 1] + batch_sizes[t1 - 1]))
        t0 = t1
    return blocks


def _decay_rates(A: Tensor, groups: int, width: int, state: int) -> Tensor:
    """``A [D, N]`` as a contiguous ``[G, N, D/G]``: products broadcast against a
    transposed view fall off the vectorised path (measured 5x slower)."""
    return A.view(groups, width, state).transpose(1, 2).contiguous()


class _PackedScan(torch.autograd.Function):
    """``h_t = exp(delta_t A) h_{t-1} + delta_t u_t B_t``, ``y_t = <C_t, h_t>`` over a
    :class:`PackedSequences` slot order, one in-place slice update per step.

    Work goes block by block (a few steps, ~1 MiB of state), so that decays, inputs
    and every reduction of a block are computed while it is in cache. The backward is
    the adjoint recurrence in reverse time, ``g_{t-1} += exp(delta_t A) g_t`` from
    ``g_t = C_t gy_t``; the log-decay gradient ``g_t * exp(delta_t A) * h_{t-1}`` is
    read off the stored states as ``g_t * (h_t - x_t)``, with no second step loop.
    States are laid out ``[T, G, N, D/G]`` (state index before channel) so that each
    contraction over the state or the channels is a batched vector-matrix product,
    3-25x faster on CPU than with the 16-wide state innermost (measured).
    """

    @staticmethod
    def forward(ctx, delta, u, A, B, C, batch_sizes, offsets):
        num_tokens, channels = delta.shape
        groups, state = B.shape[1], B.shape[2]
        width = channels // groups
        a2 = _decay_rates(A, groups, width, state) * _LOG2_E
        du = (delta * u).view(num_tokens, groups, 1, width)
        delta4 = delta.view(num_tokens, groups, 1, width)
        h = delta.new_empty(num_tokens, groups, state, width)
        decay = torch.empty_like(h)
        y = delta.new_empty(num_tokens * groups, 1, width)
        for t0, t1, r0, r1 in _blocks(batch_sizes, offsets, groups * state * width):
            # exp(x) = exp2(x log2 e): torch's exp2 is ~3x faster than its exp on CPU
            # (measured, AVX512), and the decays were a third of the forward's time
            torch.mul(delta4[r0:r1], a2, out=decay[r0:r1]).exp2_()
            torch.mul(B[r0:r1].unsqueeze(-1), du[r0:r1], out=h[r0:r1])
            for t in range(max(t0, 1), t1):
                o, b, p = offsets[t], batch_sizes[t], offsets[t - 1]
                h[o:o + b].addcmul_(decay[o:o + b], h[p:p + b])  # lanes extend step t-1's
            torch.bmm(C[r0:r1].reshape(-1, 1, state), h[r0:r1].view(-1, state, width),
                      out=y[r0 * groups:r1 * groups])
        ctx.save_for_backward(delta, u, A, B, C, h, decay)
        ctx.steps = (batch_sizes, offsets)
        return y.view(num_tokens, channels)

    @staticmethod
    def backward(ctx, gy):
        delta, u, A, B, C, h, decay = ctx.saved_tensors
        batch_sizes, offsets = ctx.steps
        num_tokens, channels = delta.shape
        groups, state = B.shape[1], B.shape[2]
        width = channels // groups
        a = _decay_rates(A, groups, width, state)
        gy = gy.contiguous().view(num_tokens, groups, 1, width)
        delta4 = delta.view(num_tokens, groups, 1, width)
        du = (delta * u).view(num_tokens, groups, 1, width)
        grad_du = delta.new_empty(num_tokens * groups, 1, width)
        grad_B = delta.new_empty(num_tokens, groups, state, 1)
        grad_C = delta.new_empty(num_tokens, groups, state, 1)
        grad_delta = delta.new_empty(num_tokens, groups, width)
        grad_a = delta.new_zeros(groups, state, width)
        carry = None  # gradient of the first step after the current block
        for t0, t1, r0, r1 in reversed(_blocks(batch_sizes, offsets, groups * state * width)):
            gh = C[r0:r1].unsqueeze(-1) * gy[r0:r1]  # [R, G, N, D/G]
            if carry is not None:
                o, b, p = offsets[t1], batch_sizes[t1], offsets[t1 - 1] - r0
                gh[p:p + b].addcmul_(decay[o:o + b], carry)
            for t in range(t1 - 1, t0, -1):
                o, b, p = offsets[t] - r0, batch_sizes[t], offsets[t - 1] - r0
                gh[p:p + b].addcmul_(decay[r0 + o:r0 + o + b], gh[o:o + b])
            carry = gh[:batch_sizes[t0]].clone()  # gh becomes w in place below
            rows = (r1 - r0) * groups
            gh_rows = gh.view(rows, state, width)
            rr = slice(r0 * groups, r1 * groups)
            torch.bmm(B[r0:r1].reshape(rows, 1, state), gh_rows, out=grad_du[rr])
            # 4-d matmul for the matrix-vector products: bmm takes a path ~5x slower
            torch.matmul(gh, du[r0:r1].transpose(-1, -2), out=grad_B[r0:r1])
            torch.matmul(h[r0:r1], gy[r0:r1].transpose(-1, -2), out=grad_C[r0:r1])
            # d loss / d log-decay_t = g_t * decay_t * h_{t-1} = g_t * (h_t - x_t)
            w = gh.mul_(torch.addcmul(h[r0:r1], B[r0:r1].unsqueeze(-1), du[r0:r1], value=-1.0))
            torch.sum(w * a, dim=2, out=grad_delta[r0:r1])
            grad_a += (w * delta4[r0:r1]).sum(0)
        grad_du = grad_du.view(num_tokens, channels)
        grad_delta = grad_delta.view(num_tokens, channels) + grad_du * u
        grad_A = grad_a.transpose(1, 2).reshape(channels, state)
        return (grad_delta, grad_du * delta, grad_A, grad_B.view(num_tokens, groups, state),
                grad_C.view(num_tokens, groups, state), None, None)


def packed_selective_scan(delta: Tensor, u: Tensor, A: Tensor, B: Tensor, C: Tensor,
                          layout: PackedSequences, D: Optional[Tensor] = None,
                          z: Optional[Tensor] = None, delta_bias: Optional[Tensor] = None,
                          delta_softplus: bool = False, use_kernel: bool = True) -> Tensor:
    """The selective scan of :func:`selective_scan` over sequences packed by
    ``layout``, with ``G`` groups of channels that have their own ``B`` and ``C`` (the
    directions of a bidirectional Mamba, stacked along channels). As in ``mamba_ssm``'s
    ``selective_scan_fn``, the step sizes are ``delta + delta_bias`` (through softplus
    if ``delta_softplus``) and the output is ``(y + D u) * silu(z)``, each part only
    when given.

    On CPU, float32 scans run the fused kernel of :mod:`graphkit.nn.mamba.cpu_scan_kernel`
    when it is built (step sizes, scan, skip and gate in one pass; ~3x faster than the
    PyTorch scan on ZINC batches); otherwise short sequences (at most
    ``SEQUENTIAL_MAX_LENGTH`` steps) run the padding-free step loop
    :class:`_PackedScan`; longer ones, or CUDA with ``mamba-ssm``, are padded per group
    and run through :func:`selective_scan` (the chunked parallel scan or the kernel).

    Args:
        delta: step sizes ``[T, D]`` in slot order (positive, or raw with
            ``delta_softplus``).
        u: inputs ``[T, D]``.
        A: state matrix ``[D, N]`` (negative).
        B, C: ``[T, G, N]``; ``D`` must be divisible by ``G``.
        layout: the :class:`PackedSequences` the rows follow.
        D: skip weights ``[D]``; z: gate ``[T, D]``; delta_bias: ``[D]``.
        delta_softplus: apply softplus to ``delta + delta_bias``.
        use_kernel: allow the fused kernels (``mamba-ssm`` on CUDA, graphkit's on CPU);
            False always takes the pure-PyTorch scans.

    Shapes:
        -> ``[T, D]``
    """
    out_dtype = u.dtype
    dtype = torch.promote_types(u.dtype, torch.float32)  # half inputs scan in float32
    if use_kernel and not u.is_cuda:
        args = [t.to(dtype).contiguous() for t in (delta, u, A, B, C)]
        if fused_kernel_available(*args):
            zeros = args[1].new_zeros(args[1].size(1))
            skip, bias = (zeros if t is None else t.to(dtype).contiguous() for t in (D, delta_bias))
            gate = args[1] if z is None else z.to(dtype).contiguous()  # ignored without z
            return FusedPackedScan.apply(*args, skip, gate, bias, delta_softplus, z is not None,
                                         *layout.step_tensors).to(out_dtype)
    if delta_bias is not None:
        delta = delta + delta_bias
    if delta_softplus:
        delta = F.softplus(delta)
    y = _packed_scan_torch(delta, u, A, B, C, layout, use_kernel, dtype)
    if D is not None:
        y = torch.addcmul(y, u.to(y.dtype), D.to(y.dtype))
    if z is not None:
        y = y * F.silu(z.to(y.dtype))
    return y.to(out_dtype)


def _packed_scan_torch(delta: Tensor, u: Tensor, A: Tensor, B: Tensor, C: Tensor,
                       layout: PackedSequences, use_kernel: bool, dtype: torch.dtype) -> Tensor:
    """The scan alone (``y``) in PyTorch, or ``mamba-ssm``'s CUDA kernel when allowed."""
    if not (use_kernel and _MAMBA_KERNEL is not None and u.is_cuda):
        delta, u, A, B, C = (t.to(dtype).contiguous() for t in (delta, u, A, B, C))
        if layout.max_length <= SEQUENTIAL_MAX_LENGTH:
            return _PackedScan.apply(delta, u, A, B, C, layout.batch_sizes, layout.offsets)
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
