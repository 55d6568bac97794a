"""Functional time encoding ``cos(dt * w + b)`` of time differences."""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor, nn


class TimeEncoding(nn.Module):
    """``cos(dt * w + b)`` with DyGLib's initialisation ``w_i = 10^(-9 i / (d - 1))``, ``b = 0``
    (Xu et al., TGAT, https://arxiv.org/abs/2002.07962; GraphMixer, Cong et al.
    https://arxiv.org/abs/2302.11636, freezes it: ``trainable=False``).

    Args:
        out_channels: encoding width.
        trainable: learn ``w`` and ``b`` (default True).

    Shapes:
        ``dt [*]`` -> ``[*, out_channels]``
    """

    def __init__(self, out_channels: int, trainable: bool = True) -> None:
        super().__init__()
        self.out_channels = out_channels
        self.lin = nn.Linear(1, out_channels)
        w = 1.0 / 10 ** np.linspace(0, 9, out_channels, dtype=np.float32)
        with torch.no_grad():
            self.lin.weight.copy_(torch.from_numpy(w).view(-1, 1))
            self.lin.bias.zero_()
        self.lin.weight.requires_grad_(trainable)
        self.lin.bias.requires_grad_(trainable)

    def forward(self, dt: Tensor) -> Tensor:
        return torch.cos(self.lin(dt.float().unsqueeze(-1)))
