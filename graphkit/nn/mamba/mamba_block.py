"""A Mamba block (selective state-space model) over packed or padded sequences."""

from __future__ import annotations

import math
from typing import Optional

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from graphkit.nn.mamba.cpu_scan_kernel import cpu_scan_kernel
from graphkit.nn.mamba.packed_causal_conv import packed_causal_conv_silu
from graphkit.nn.mamba.packed_sequences import PackedSequences
from graphkit.nn.mamba.selective_scan import packed_selective_scan


class MambaBlock(nn.Module):
    """The Mamba block of `Gu & Dao <https://arxiv.org/abs/2312.00752>`_: input projection
    to a signal and a gate, causal depthwise convolution, input-dependent ``(delta, B,
    C)``, the selective scan, gating and output projection. Initialisation follows the
    reference (``dt`` log-uniform in ``[dt_min, dt_max]``, ``A = -[1..n]``, ``D = 1``).

    Args:
        channels: model width ``d_model``.
        state_channels: SSM state size ``n`` (default 16).
        conv_kernel: causal convolution width (default 4).
        expand: inner width factor (default 1, as in Graph-Mamba; 2 in Mamba).
        dt_rank: rank of the ``delta`` projection; default ``ceil(channels / 16)``.
        dt_min, dt_max: range of the initial step sizes.

    Shapes:
        ``x [B, L, C]`` (``B`` full sequences) -> ``[B, L, C]``; or tokens ``x [T, C]``
        with the ``layout`` (:class:`PackedSequences`) saying which sequence and step
        each token is -> ``[T, C]``, without any padding.
    """

    def __init__(self, channels: int, state_channels: int = 16, conv_kernel: int = 4, expand: int = 1,
                 dt_rank: Optional[int] = None, dt_min: float = 0.001, dt_max: float = 0.1) -> None:
        super().__init__()
        inner = expand * channels
        self.inner, self.state_channels = inner, state_channels
        self.dt_rank = dt_rank or math.ceil(channels / 16)
        self.in_proj = nn.Linear(channels, 2 * inner, bias=False)
        self.conv = nn.Conv1d(inner, inner, conv_kernel, groups=inner, padding=conv_kernel - 1)
        self.x_proj = nn.Linear(inner, self.dt_rank + 2 * state_channels, bias=False)
        self.dt_proj = nn.Linear(self.dt_rank, inner)
        self.out_proj = nn.Linear(inner, channels, bias=False)
        std = self.dt_rank ** -0.5
        nn.init.uniform_(self.dt_proj.weight, -std, std)
        dt = torch.exp(torch.rand(inner) * (math.log(dt_max) - math.log(dt_min)) + math.log(dt_min))
        dt = dt.clamp_min(1e-4)
        with torch.no_grad():
            self.dt_proj.bias.copy_(dt + torch.log(-torch.expm1(-dt)))  # softplus^-1(dt)
        a = torch.arange(1, state_channels + 1, dtype=torch.float32).repeat(inner, 1)
        self.A_log = nn.Parameter(torch.log(a))  # [inner, n]
        self.D = nn.Parameter(torch.ones(inner))
        # the fused CPU kernels are built (once per machine, announced with its time) or
        # loaded now, with the model, so that a first build is not counted in epoch 1
        cpu_scan_kernel()

    def forward(self, x: Tensor, layout: Optional[PackedSequences] = None) -> Tensor:
        dense_shape = None
        if layout is None:
            dense_shape = x.shape
            layout = PackedSequences.from_mask(x.new_ones(x.shape[:2], dtype=torch.bool))
            x = x.reshape(-1, x.size(-1))
        signal, gate = self.in_proj(layout.gather(x)).chunk(2, dim=-1)  # [T, inner] each
        signal = packed_causal_conv_silu(signal.unsqueeze(0), self.conv.weight.squeeze(1)[None],
                                         self.conv.bias[None], layout)[0]
        dt, b, c = self.x_proj(signal).split(
            [self.dt_rank, self.state_channels, self.state_channels], dim=-1)
        # softplus(dt W + bias), skip and gate happen inside the (fused) scan
        y = packed_selective_scan(
            F.linear(dt, self.dt_proj.weight), signal, -torch.exp(self.A_log), b.unsqueeze(1),
            c.unsqueeze(1), layout, D=self.D, z=gate, delta_bias=self.dt_proj.bias,
            delta_softplus=True)  # [T, inner]
        out = layout.scatter(self.out_proj(y))
        return out if dense_shape is None else out.view(dense_shape)
