"""Bidirectional Mamba: a forward and a reversed scan of each sequence, summed."""

from __future__ import annotations

from typing import Optional

import torch
from torch import Tensor, nn

from graphkit.nn.mamba_block import MambaBlock
from graphkit.nn.packed_sequences import PackedSequences
from graphkit.nn.selective_scan import packed_selective_scan


class BiMamba(nn.Module):
    """Runs one :class:`MambaBlock` over each sequence and another over the reversed
    sequence, and sums the (re-reversed) outputs, as in GMN's bidirectional selective SSM
    (`Behrouz & Hashemi <https://arxiv.org/abs/2402.08678>`_). Each sequence is reversed
    within its own length, and the two scans run as one (stacked along channels) over
    a padding-free :class:`PackedSequences` layout.

    Args:
        channels: model width.
        **mamba_kwargs: passed to both :class:`MambaBlock` s (``state_channels``,
            ``conv_kernel``, ``expand``).

    Shapes:
        ``x [B, L, C]``, optional ``mask [B, L]`` (True on real tokens, a prefix of each
        row) -> ``[B, L, C]`` (zero on padding); or tokens ``x [T, C]`` with a
        ``layout`` -> ``[T, C]``.
    """

    def __init__(self, channels: int, **mamba_kwargs) -> None:
        super().__init__()
        self.forward_block = MambaBlock(channels, **mamba_kwargs)
        self.backward_block = MambaBlock(channels, **mamba_kwargs)

    def forward(self, x: Tensor, mask: Optional[Tensor] = None,
                layout: Optional[PackedSequences] = None) -> Tensor:
        if layout is not None:
            return self._packed(x, layout)
        if mask is None:
            mask = x.new_ones(x.shape[:2], dtype=torch.bool)
        layout = PackedSequences.from_mask(mask)
        out = torch.zeros_like(x)
        out[mask] = self._packed(x[mask], layout)
        return out

    def _packed(self, x: Tensor, layout: PackedSequences) -> Tensor:
        # both directions share lanes and steps, so one scan runs them stacked along
        # channels, each with its own A, B and C
        fwd, bwd = self.forward_block, self.backward_block
        shifts = fwd.conv_shifts(layout)
        u_f, delta_f, b_f, c_f, gate_f = fwd.project(layout.gather(x), layout, shifts)
        u_b, delta_b, b_b, c_b, gate_b = bwd.project(layout.gather(x, reverse=True), layout, shifts)
        A = -torch.exp(torch.cat([fwd.A_log, bwd.A_log]))  # [2 inner, N]
        y = packed_selective_scan(
            torch.cat([delta_f, delta_b], 1), torch.cat([u_f, u_b], 1), A,
            torch.stack([b_f, b_b], 1), torch.stack([c_f, c_b], 1), layout)  # [T, 2 inner]
        y_f, y_b = y.chunk(2, dim=1)
        return (layout.scatter(fwd.finish(y_f, u_f, gate_f))
                + layout.scatter(bwd.finish(y_b, u_b, gate_b), reverse=True))
