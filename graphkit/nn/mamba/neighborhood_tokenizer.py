"""GMN's neighbourhood tokens: random-walk subgraphs of growing length around each node."""

from __future__ import annotations

import torch
from torch import Tensor, nn


class NeighborhoodTokenizer(nn.Module):
    """Samples the subgraph tokens of `GMN <https://arxiv.org/abs/2402.08678>`_
    (Behrouz & Hashemi): for every node ``v``, walk length ``l = 1..m`` and sample
    ``j = 1..s``, the token ``T_l^j(v)`` is the set of nodes visited by ``M`` random
    walks of length ``l`` from ``v``. The walks of one sample are shared across lengths
    (the length-``l`` walk is a prefix of the length-``m`` walk), so a sample's tokens are
    nested. :meth:`pool` turns tokens into a sequence ordered from the farthest
    neighbourhood (``l = m``) to the closest (``l = 1``), as GMN orders them.

    Args:
        walk_length: ``m`` (>= 1).
        num_walks: ``M`` walks per token (default 4).
        num_samples: ``s`` samples per length (default 1).

    Shapes:
        ``forward(edge_index, num_nodes)`` -> walks ``[N, s, M, m + 1]`` (node ids,
        column 0 is the start node); ``pool(x [N, C], walks)`` -> ``[N, m * s, C]``.
    """

    def __init__(self, walk_length: int, num_walks: int = 4, num_samples: int = 1) -> None:
        super().__init__()
        if walk_length < 1 or num_walks < 1 or num_samples < 1:
            raise ValueError("walk_length, num_walks and num_samples must be >= 1")
        self.walk_length, self.num_walks, self.num_samples = walk_length, num_walks, num_samples

    @torch.no_grad()
    def forward(self, edge_index: Tensor, num_nodes: int) -> Tensor:
        device = edge_index.device
        src, dst = edge_index
        order = torch.argsort(src, stable=True)
        targets = dst[order]  # CSR column array
        counts = torch.bincount(src, minlength=num_nodes)
        row_start = torch.cumsum(counts, 0) - counts
        walkers = self.num_samples * self.num_walks
        current = torch.arange(num_nodes, device=device).repeat_interleave(walkers)
        steps = [current]
        for _ in range(self.walk_length):
            deg = counts[current]
            pick = (torch.rand(current.numel(), device=device) * deg).long()
            nxt = targets[(row_start[current] + pick).clamp_max(max(targets.numel() - 1, 0))]
            current = torch.where(deg > 0, nxt, current)  # isolated nodes stay put
            steps.append(current)
        walks = torch.stack(steps, dim=1)  # [N * s * M, m + 1]
        return walks.view(num_nodes, self.num_samples, self.num_walks, self.walk_length + 1)

    def pool(self, x: Tensor, walks: Tensor) -> Tensor:
        """Mean of ``x`` over each token's walk visits (a node counts once per visit),
        tokens ordered farthest first: ``[(l=m, j=1..s), ..., (l=1, j=1..s)]``."""
        num_nodes, samples, num_walks, steps = walks.shape
        feats = x[walks.reshape(-1)].view(num_nodes, samples, num_walks, steps, -1)
        prefix = feats.sum(dim=2).cumsum(dim=2)  # [N, s, m+1, C]: visits up to step l
        visits = num_walks * torch.arange(1, steps + 1, device=x.device, dtype=x.dtype)
        tokens = prefix / visits.view(1, 1, -1, 1)  # mean over M * (l + 1) visits
        tokens = tokens[:, :, 1:].flip(2)  # drop l = 0 (the node itself), farthest first
        return tokens.transpose(1, 2).reshape(num_nodes, (steps - 1) * samples, -1)
