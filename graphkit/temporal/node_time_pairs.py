"""Distinct (node, time) query pairs, through 1-D ``torch.unique`` on an integer key."""

from __future__ import annotations

import torch
from torch import Tensor


def unique_node_times(nodes: Tensor, t: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """The distinct ``(nodes[i], t[i])`` pairs, sorted by node then time, and each pair's
    index among them: what ``torch.unique(torch.stack([nodes, t]), dim=1, return_inverse=True)``
    returns, without its row-by-row comparisons (about 6 ms per batch of 800 pairs on one
    CPU thread, a few percent of a temporal model's training step).

    Shapes:
        ``nodes [P]`` (int), ``t [P]`` -> ``nodes [U]``, ``t [U]``, ``inverse [P]``
    """
    times, time_id = torch.unique(t, return_inverse=True)  # sorted distinct times
    key = nodes.long() * times.numel() + time_id
    uniq, inverse = torch.unique(key, return_inverse=True)
    return uniq // times.numel(), times[uniq % times.numel()], inverse
