"""Mamba's causal depthwise convolution (then SiLU) along the lanes of packed sequences."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from graphkit.nn.mamba.cpu_scan_kernel import fused_kernel_available
from graphkit.nn.mamba.fused_packed_conv import FusedPackedConv
from graphkit.nn.mamba.packed_sequences import PackedSequences


def packed_causal_conv_silu(x: Tensor, weight: Tensor, bias: Tensor, layout: PackedSequences,
                            use_kernel: bool = True) -> Tensor:
    """``silu(conv)`` where, for each of ``G`` stacks (the directions of a bidirectional
    Mamba), ``conv`` at slot ``(step t, lane j)`` is ``bias + sum_k weight[..., K-1-k] *
    x[slot (t - k, j)]`` over the ``k <= t`` steps back (``nn.Conv1d`` with ``K - 1``
    zeros of left padding, one sequence per lane). Runs the fused CPU kernel for
    float32 CPU tensors when it is built; otherwise gathers each tap's earlier slots.

    Args:
        x: ``[G, T, C]`` in ``layout``'s slot order.
        weight: ``[G, C, K]`` (a depthwise ``Conv1d`` weight per stack, squeezed).
        bias: ``[G, C]``.
        layout: the :class:`PackedSequences` the rows follow.
        use_kernel: allow the fused CPU kernel.

    Shapes:
        -> ``[G, T, C]``
    """
    if use_kernel and fused_kernel_available(x, weight, bias):
        return FusedPackedConv.apply(x.contiguous(), weight.contiguous(), bias.contiguous(),
                                     *layout.step_tensors)
    stacks, _, channels = x.shape
    # tap k reads the slot k steps back: an appended zero row where the lane had not started
    padded = torch.cat([x, x.new_zeros(stacks, 1, channels)], dim=1)
    conv = torch.addcmul(bias.unsqueeze(1), x, weight[:, None, :, -1])
    for k in range(1, weight.size(-1)):
        conv = conv.addcmul(padded.index_select(1, layout.shift_index(k)),
                            weight[:, None, :, -1 - k])
    return F.silu(conv)
