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
        ``query(nodes [B], t [B], batch=None)`` -> ``nbr [B, size]``, ``times [B, size]``,
        ``feats [B, size, edge_dim]``, ``mask [B, size]`` (oldest first, right-aligned; empty
        slots masked at the front).
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

    def _rows(self, src: Tensor, dst: Tensor, t: Tensor, msg: Tensor, cap: int | None
              ) -> tuple[Tensor, Tensor, Tensor, Tensor, Tensor, Tensor]:
        """Events (time order) as per-node rows, right-aligned in event order, the latest
        ``cap`` per node (all when None): (nodes ``[U]``, nbr, eid offset, times ``[U, W]``,
        feats ``[U, W, D]``, valid ``[U, W]``)."""
        nodes = torch.stack([src, dst], 1).view(-1)  # event order, both directions
        nbrs = torch.stack([dst, src], 1).view(-1)
        eids = torch.arange(src.numel(), device=self.device).repeat_interleave(2)
        times, feats = t.float().repeat_interleave(2), msg.float().repeat_interleave(2, 0)
        order = torch.sort(nodes, stable=True).indices
        nodes, nbrs, eids, times, feats = nodes[order], nbrs[order], eids[order], times[order], feats[order]
        uniq, counts = torch.unique_consecutive(nodes, return_counts=True)
        width = int(counts.max()) if cap is None else cap
        start = torch.repeat_interleave(torch.cumsum(counts, 0) - counts, counts)
        pos = torch.arange(nodes.numel(), device=self.device) - start
        from_end = torch.repeat_interleave(counts, counts) - 1 - pos
        keep = from_end < width
        row = torch.repeat_interleave(torch.arange(uniq.numel(), device=self.device), counts)[keep]
        col = width - 1 - from_end[keep]  # right-aligned: newest in the last column
        new_nbr = torch.full((uniq.numel(), width), -1, dtype=torch.long, device=self.device)
        new_eid = new_nbr.clone()
        new_t = torch.zeros(uniq.numel(), width, device=self.device)
        new_f = torch.zeros(uniq.numel(), width, self.edge_dim, device=self.device)
        new_nbr[row, col], new_eid[row, col] = nbrs[keep], eids[keep]
        new_t[row, col], new_f[row, col] = times[keep], feats[keep]
        return uniq, new_nbr, new_eid, new_t, new_f, new_eid >= 0

    def insert(self, src: Tensor, dst: Tensor, t: Tensor, msg: Tensor) -> None:
        """Adds events (in time order) as interactions of both endpoints."""
        b = src.numel()
        if b == 0:
            return
        k = self.size
        uniq, new_nbr, new_eid, new_t, new_f, valid = self._rows(src, dst, t, msg, cap=k)
        new_eid = torch.where(valid, new_eid + self._count, new_eid)
        self._count += b
        # merge with the kept ones: sort the 2k slots by event id (empty = -1 first)
        all_eid = torch.cat([self.eid[uniq], new_eid], 1)  # [n, 2k]
        perm = torch.sort(all_eid, dim=1, stable=True).indices[:, k:]
        self.eid[uniq] = torch.gather(all_eid, 1, perm)
        self.nbr[uniq] = torch.gather(torch.cat([self.nbr[uniq], new_nbr], 1), 1, perm)
        self.times[uniq] = torch.gather(torch.cat([self.times[uniq], new_t], 1), 1, perm)
        f = torch.cat([self.feats[uniq], new_f], 1)
        self.feats[uniq] = torch.gather(f, 1, perm.unsqueeze(-1).expand(-1, -1, self.edge_dim))

    def query(self, nodes: Tensor, t: Tensor, batch: tuple[Tensor, Tensor, Tensor, Tensor] | None = None
              ) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        """Latest ``size`` interactions of ``nodes`` strictly before ``t``, right-aligned (oldest
        first, empty slots masked at the front, as DyGLib pads them).

        ``batch``: events ``(src, dst, t, msg)`` not inserted yet (the batch being scored,
        time order), read like inserted ones, so a query sees the earlier events of its own
        batch, as DyGLib's sampler over the whole stream does."""
        k = self.size
        nbr, times, feats = self.nbr[nodes], self.times[nodes], self.feats[nodes]
        valid = self.eid[nodes] >= 0
        if batch is not None and batch[0].numel():
            uniq, b_nbr, _, b_t, b_f, b_valid = self._rows(*batch, cap=None)
            slot = torch.full((self.num_nodes,), -1, dtype=torch.long, device=self.device)
            slot[uniq] = torch.arange(uniq.numel(), device=self.device)
            found = (slot[nodes] >= 0).view(-1, 1)
            s = slot[nodes].clamp(min=0)
            nbr, times = torch.cat([nbr, b_nbr[s]], 1), torch.cat([times, b_t[s]], 1)
            feats, valid = torch.cat([feats, b_f[s]], 1), torch.cat([valid, b_valid[s] & found], 1)
        mask = valid & (times < t.float().view(-1, 1))
        # keep the latest k readable slots, packed to the right
        rank = mask.flip(1).cumsum(1).flip(1)  # readable slots at or after this one
        keep = mask & (rank <= k)
        row = torch.arange(nodes.numel(), device=self.device).view(-1, 1).expand_as(mask)[keep]
        col = k - rank[keep]
        out_mask = torch.zeros(nodes.numel(), k, dtype=torch.bool, device=self.device)
        out_nbr = torch.zeros(nodes.numel(), k, dtype=torch.long, device=self.device)
        out_t = torch.zeros(nodes.numel(), k, device=self.device)
        out_f = torch.zeros(nodes.numel(), k, self.edge_dim, device=self.device)
        out_mask[row, col], out_nbr[row, col] = True, nbr[keep]
        out_t[row, col], out_f[row, col] = times[keep], feats[keep]
        return out_nbr, out_t, out_f, out_mask
