"""Autograd wrapper of the fused CPU selective-scan kernel."""

from __future__ import annotations

import torch
from torch import Tensor

from graphkit.nn.mamba.cpu_scan_kernel import cpu_scan_kernel


class FusedPackedScan(torch.autograd.Function):
    """Autograd wrapper of the kernel, with the arguments of
    :func:`graphkit.nn.mamba.selective_scan.packed_selective_scan` (float32, contiguous,
    CPU): ``(y + D u) * silu(z)`` of the scan with step sizes ``softplus(delta +
    delta_bias)`` (or ``delta + delta_bias``). ``D`` and ``delta_bias`` are tensors
    (zeros when the caller has none); ``z`` is ignored unless ``gate``. The layout's
    ``batch_sizes`` and ``offsets`` come as int64 tensors. The states ``[T, G, N,
    D/G]`` and the scan's readout are kept for the backward."""

    @staticmethod
    def forward(ctx, delta: Tensor, u: Tensor, A: Tensor, B: Tensor, C: Tensor, D: Tensor,
                z: Tensor, delta_bias: Tensor, softplus: bool, gate: bool,
                batch_sizes: Tensor, offsets: Tensor) -> Tensor:
        out, y, h = cpu_scan_kernel().forward(delta, u, A, B, C, D, z, delta_bias, softplus,
                                              gate, batch_sizes, offsets)
        ctx.save_for_backward(delta, u, A, B, C, D, z, delta_bias, y, h, batch_sizes, offsets)
        ctx.flags = (softplus, gate)
        return out

    @staticmethod
    def backward(ctx, grad_out: Tensor):
        delta, u, A, B, C, D, z, delta_bias, y, h, batch_sizes, offsets = ctx.saved_tensors
        softplus, gate = ctx.flags
        grads = cpu_scan_kernel().backward(grad_out.contiguous(), delta, u, A, B, C, D, z,
                                           delta_bias, softplus, gate, y, h, batch_sizes,
                                           offsets)
        grad_delta, grad_u, grad_A, grad_B, grad_C, grad_D, grad_z, grad_bias = grads
        return (grad_delta, grad_u, grad_A, grad_B, grad_C, grad_D,
                grad_z if gate else None, grad_bias, None, None, None, None)
