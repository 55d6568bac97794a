"""Autograd wrapper of the fused CPU causal-convolution kernel."""

from __future__ import annotations

import torch
from torch import Tensor

from graphkit.nn.mamba.cpu_scan_kernel import cpu_scan_kernel


class FusedPackedConv(torch.autograd.Function):
    """Autograd wrapper of the kernel's causal depthwise convolution + SiLU over the
    lanes of a packed layout (see :func:`graphkit.nn.mamba.packed_causal_conv.packed_causal_conv_silu`)."""

    @staticmethod
    def forward(ctx, x: Tensor, weight: Tensor, bias: Tensor, batch_sizes: Tensor,
                offsets: Tensor) -> Tensor:
        out, pre = cpu_scan_kernel().conv_forward(x, weight, bias, batch_sizes, offsets)
        ctx.save_for_backward(x, weight, pre, batch_sizes, offsets)
        return out

    @staticmethod
    def backward(ctx, grad_out: Tensor):
        x, weight, pre, batch_sizes, offsets = ctx.saved_tensors
        grad_x, grad_weight, grad_bias = cpu_scan_kernel().conv_backward(
            grad_out.contiguous(), x, weight, pre, batch_sizes, offsets)
        return grad_x, grad_weight, grad_bias, None, None
