"""Dropout by a uniform mask: the same distribution as ``nn.Dropout``, faster on CPU."""

from __future__ import annotations

import torch
from torch import Tensor, nn


class MaskDropout(nn.Module):
    """Zeroes each element with probability ``p`` and scales the rest by ``1 / (1 - p)``,
    as :class:`torch.nn.Dropout`, from ``torch.rand_like(x) >= p``: on CPU PyTorch's
    dropout draws Bernoulli samples about three times slower than this mask (measured in
    ``benchmarks/temporal_uci.py``'s profile; GraphMixer's mixers spent a third of their
    training time in dropout).

    Args:
        p: drop probability, in ``[0, 1)``.

    Shapes:
        ``x [*]`` -> ``[*]``
    """

    def __init__(self, p: float = 0.5) -> None:
        super().__init__()
        if not 0.0 <= p < 1.0:
            raise ValueError(f"dropout probability must be in [0, 1), got {p}")
        self.p = p

    def forward(self, x: Tensor) -> Tensor:
        if not self.training or self.p == 0.0:
            return x
        keep = (torch.rand_like(x) >= self.p).to(x.dtype)
        return x * keep * (1.0 / (1.0 - self.p))

    def extra_repr(self) -> str:
        return f"p={self.p}"
