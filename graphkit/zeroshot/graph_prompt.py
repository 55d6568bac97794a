"""A learnable graph prompt added to the input node features of a frozen encoder."""

from __future__ import annotations

import torch
from torch import Tensor, nn


class GraphPrompt(nn.Module):
    """GPF-plus (Fang et al., "Universal Prompt Tuning for Graph Neural Networks",
    https://arxiv.org/abs/2209.15240): each node's prompt is an attention-weighted mix of
    ``num_basis`` learned vectors, weights from the node's own features, so nodes of
    different content get different prompts; ``num_basis = 1`` is GPF's single shared
    vector. Starts at zero (the frozen model's zero-shot behaviour).

    Args:
        channels: node feature width.
        num_basis: prompt basis vectors (default 8).

    Shapes:
        ``x [n, channels]`` -> prompt ``[n, channels]``
    """

    def __init__(self, channels: int, num_basis: int = 8):
        super().__init__()
        self.basis = nn.Parameter(torch.zeros(num_basis, channels))
        self.attention = nn.Linear(channels, num_basis) if num_basis > 1 else None

    def forward(self, x: Tensor) -> Tensor:
        if self.attention is None:
            return self.basis.expand(x.size(0), -1)
        return torch.softmax(self.attention(x), dim=-1) @ self.basis
