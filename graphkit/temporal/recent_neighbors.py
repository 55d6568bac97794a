"""The most recent interactions of every node, filled in time order, read strictly before a time."""

from __future__ import annotations

import torch
from torch import Tensor, nn


class RecentNeighbors(nn.Module):
    """Per node, the ``size`` latest observed interactions (neighbour, time, features).

    DyGLib's ``recent`` neighbour sampler (https://github.com/yule-BUAA/DyGLib,
    ``utils/utils.NeighborSampler``) over a stream that grows as events are observed:
    :meth:`insert` adds events (both directions) once they have been predicted, and
    :meth:`query` returns, for each query node, its latest interactions **strictly before**
    the query time, so nothing at or after the predicted event can be read. PyG's
    ``LastNeighborLoader`` keeps the same buffer but returns a merged subgraph; models that
    read fixed-length per-node sequences (GraphMixer, Todyformer) need this padded form.

    Args:
        num_nodes: nodes of the stream.
        size: interactions kept per node.
        edge_dim: width of the event features.

    A module of non-persistent buffers: it follows ``.to(device)`` and stays out of
    checkpoints.

    Shapes:
        ``query(nodes [B], t [B])`` -> ``nbr [B, size]``, ``times [B, size]``,
        ``feats [B, size, edge_dim]``, ``mask [B, size]`` (oldest first; empty slots masked).
    """

    def __init__(self, num_nodes: int, size: int, edge_dim: int) -> None:
        super().__init__()
        self.num_nodes, self.size, self.edge_dim = num_nodes, size, edge_dim
        n, k = num_nodes, size
        self.register_buffer("nbr", torch.full((n, k), -1, dtype=torch.long), persistent=False)
        self.register_buffer("eid", torch.full((n, k), -1, dtype=torch.long), persistent=False)
        self.register_buffer("times", torch.zeros(n, k), persistent=False)
        self.register_buffer("feats", torch.zeros(n, k, edge_dim), persistent=False)
        self._count = 0

    @property
    def device(self) -> torch.device:
        return self.nbr.device

    def reset(self) -> None:
        """Forgets every interaction."""
        self.nbr.fill_(-1)
        self.eid.fill_(-1)
        self.times.zero_()
        self.feats.zero_()
        self._count = 0

    def insert(self, src: Tensor, dst: Tensor, t: Tensor, msg: Tensor) -> None:
        """Adds events (in time order) as interactions of both endpoints."""
        b = src.numel()
        if b == 0:
            return
        eid = torch.arange(self._count, self._count + b, device=self.device)
        self._count += b
        nodes = torch.stack([src, dst], 1).view(-1)  # event order, both directions
        nbrs = torch.stack([dst, src], 1).view(-1)
        eids, times = eid.repeat_interleave(2), t.float().repeat_interleave(2)
        feats = msg.float().repeat_interleave(2, 0)
        order = torch.sort(nodes, stable=True).indices
        nodes, nbrs, eids, times, feats = nodes[order], nbrs[order], eids[order], times[order], feats[order]
        uniq, counts = torch.unique_consecutive(nodes, return_counts=True)
        start = torch.repeat_interleave(torch.cumsum(counts, 0) - counts, counts)
        pos = torch.arange(nodes.numel(), device=self.device) - start
        from_end = torch.repeat_interleave(counts, counts) - 1 - pos
        keep = from_end < self.size
        row = torch.repeat_interleave(torch.arange(uniq.numel(), device=self.device), counts)[keep]
        col = self.size - 1 - from_end[keep]  # right-aligned: newest in the last column
        k = self.size
        new_nbr = torch.full((uniq.numel(), k), -1, dtype=torch.long, device=self.device)
        new_eid = new_nbr.clone()
        new_t = torch.zeros(uniq.numel(), k, device=self.device)
        new_f = torch.zeros(uniq.numel(), k, self.edge_dim, device=self.device)
        new_nbr[row, col], new_eid[row, col] = nbrs[keep], eids[keep]
        new_t[row, col], new_f[row, col] = times[keep], feats[keep]
        # merge with the kept ones: sort the 2k slots by event id (empty = -1 first)
        all_eid = torch.cat([self.eid[uniq], new_eid], 1)  # [n, 2k]
        perm = torch.sort(all_eid, dim=1, stable=True).indices[:, k:]
        self.eid[uniq] = torch.gather(all_eid, 1, perm)
        self.nbr[uniq] = torch.gather(torch.cat([self.nbr[uniq], new_nbr], 1), 1, perm)
        self.times[uniq] = torch.gather(torch.cat([self.times[uniq], new_t], 1), 1, perm)
        f = torch.cat([self.feats[uniq], new_f], 1)
        self.feats[uniq] = torch.gather(f, 1, perm.unsqueeze(-1).expand(-1, -1, self.edge_dim))

    def query(self, nodes: Tensor, t: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        """Latest interactions of ``nodes`` strictly before ``t`` (see the class)."""
        times = self.times[nodes]
        mask = (self.eid[nodes] >= 0) & (times < t.float().view(-1, 1))
        nbr = torch.where(mask, self.nbr[nodes], torch.zeros_like(self.nbr[nodes]))
        feats = self.feats[nodes] * mask.unsqueeze(-1)
        return nbr, torch.where(mask, times, torch.zeros_like(times)), feats, mask
