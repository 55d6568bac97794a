"""The two-layer scorer of a (source, destination) embedding pair."""

from __future__ import annotations

from typing import Callable

import torch
from torch import Tensor, nn

from graphkit.temporal import unique_node_times


class LinkPredictor(nn.Module):
    """``lin2(relu(lin1([h_src || h_dst])))``: DyGLib's ``MergeLayer`` link scorer.

    Args:
        in_channels: width of each node embedding.
        hidden_channels: hidden width.

    Shapes:
        ``h_src [P, C]``, ``h_dst [P, C]`` -> logits ``[P]``
    """

    def __init__(self, in_channels: int, hidden_channels: int) -> None:
        super().__init__()
        self.lin1 = nn.Linear(2 * in_channels, hidden_channels)
        self.lin2 = nn.Linear(hidden_channels, 1)

    def forward(self, h_src: Tensor, h_dst: Tensor) -> Tensor:
        return self.lin2(torch.relu(self.lin1(torch.cat([h_src, h_dst], dim=-1)))).view(-1)


def score_events(embed: Callable[[Tensor, Tensor], Tensor], predictor: LinkPredictor, src: Tensor, dst: Tensor,
                 t: Tensor) -> Tensor:
    """Logits of the events ``(src[i], dst[i], t[i])``: ``embed(nodes, times)`` runs once per
    distinct (node, time) pair (negatives share their positive's source and time), then
    ``predictor`` scores each event's two embeddings.

    Shapes:
        ``src, dst, t [P]`` -> ``[P]``; ``embed``: ``nodes [Q], times [Q]`` -> ``[Q, C]``
    """
    p = src.numel()
    nodes, times, inv = unique_node_times(torch.cat([src, dst]), torch.cat([t, t]))
    h = embed(nodes, times)[inv]
    return predictor(h[:p], h[p:])
