"""Hard-concrete gates: differentiable L0 gates over a set of units (heads, layers, channels)."""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

_BETA, _GAMMA, _ZETA = 2.0 / 3.0, -0.1, 1.1


class HardConcrete(nn.Module):
    """``size`` stochastic gates in ``[0, 1]`` with exact zeros and ones
    (`Louizos et al., "Learning Sparse Neural Networks through L0 Regularization"
    <https://arxiv.org/abs/1712.01312>`_).

    In training each gate is a stretched, clamped binary-concrete sample; in evaluation
    it is the clamped stretched mean, which is exactly 1 for the initial ``log_alpha``, so
    a freshly gated model reproduces the ungated one. ``log_alpha = init + scale * theta``
    with ``theta`` the trained parameter: ``scale`` lets gates move faster than the
    weights under one optimizer learning rate (Adam's steps are about ``lr`` in
    parameter units).

    Args:
        size: number of gates.
        init: initial log-odds (default 3.0: every evaluation gate is exactly 1).
        scale: log-odds per unit of the trained parameter (default 1.0).

    Shapes:
        ``forward()`` -> ``[size]``
    """

    def __init__(self, size: int, init: float = 3.0, scale: float = 1.0) -> None:
        super().__init__()
        self.init, self.scale = init, scale
        self.theta = nn.Parameter(torch.zeros(size))

    @property
    def log_alpha(self) -> Tensor:
        return self.init + self.scale * self.theta

    def forward(self) -> Tensor:
        log_alpha = self.log_alpha
        if self.training:
            u = torch.rand_like(log_alpha).clamp(1e-6, 1.0 - 1e-6)
            s = torch.sigmoid((torch.log(u) - torch.log1p(-u) + log_alpha) / _BETA)
        else:
            s = torch.sigmoid(log_alpha)
        return (s * (_ZETA - _GAMMA) + _GAMMA).clamp(0.0, 1.0)

    def prob_open(self) -> Tensor:
        """Probability that each gate is non-zero (the expected L0 norm per gate)."""
        return torch.sigmoid(self.log_alpha - _BETA * math.log(-_GAMMA / _ZETA))

    def extra_repr(self) -> str:
        return f"size={self.theta.numel()}, init={self.init}, scale={self.scale}"
