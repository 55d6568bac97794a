"""GMN's mixer over random-walk subgraph tokens: each node reads its own token sequence."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from graphkit.nn.mamba.bi_mamba import BiMamba
from graphkit.nn.mamba.neighborhood_tokenizer import NeighborhoodTokenizer


class NeighborhoodMamba(nn.Module):
    """The token branch of `Graph Mamba Networks <https://arxiv.org/abs/2402.08678>`_ with
    ``m >= 1``: every node gets its own sequence of ``m * s`` random-walk subgraph tokens
    (:class:`NeighborhoodTokenizer`, farthest first) followed by the node itself; each token
    is locally encoded (a linear map + ReLU of its nodes' features, mean-pooled over the
    walk visits) and the bidirectional Mamba output at the node's own position is the
    output. GMN's authors released no code; this local encoding is a simplification of
    the paper's "MPNN on each subgraph token".

    Args:
        channels: hidden width ``C``.
        walk_length, num_walks, num_samples: ``m``, ``M``, ``s``.
        state_channels: SSM state size.

    Shapes:
        ``x [N, C]``, ``edge_index [2, E]`` -> ``[N, C]``
    """

    def __init__(self, channels: int, walk_length: int, num_walks: int = 4, num_samples: int = 1,
                 state_channels: int = 16) -> None:
        super().__init__()
        self.tokenizer = NeighborhoodTokenizer(walk_length, num_walks, num_samples)
        self.token_encoder = nn.Sequential(nn.Linear(channels, channels), nn.ReLU())
        self.token_mamba = BiMamba(channels, state_channels=state_channels)

    def forward(self, x: Tensor, edge_index: Tensor) -> Tensor:
        walks = self.tokenizer(edge_index, x.size(0))
        tokens = self.tokenizer.pool(self.token_encoder(x), walks)  # [N, m*s, C]
        sequence = torch.cat([tokens, x.unsqueeze(1)], dim=1)  # the node itself last
        return self.token_mamba(sequence)[:, -1]
