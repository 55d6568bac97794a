"""Uniform neighbor sampling on a CSR adjacency, vectorized in torch (no pyg-lib/torch-sparse).

Hamilton et al., "Inductive Representation Learning on Large Graphs" (GraphSAGE),
https://arxiv.org/abs/1706.02216. Output batches have the layout of PyG's
``NeighborLoader``: the seed nodes come first, ``n_id`` maps local to global ids and
``batch_size`` counts the seeds, so models and tasks cannot tell the two apart.
"""

from __future__ import annotations

from typing import Iterator, Optional, Sequence

import torch
from torch import Tensor
from torch_geometric.data import Data


class CSRNeighborSampler:
    """Samples, for every node of each hop's frontier, ``min(k, degree)`` distinct
    in-neighbours uniformly without replacement (k = that hop's fan-out).

    Args:
        edge_index: ``[2, E]`` edges ``source -> target``; a target samples its sources.
        num_nodes: number of nodes.
        num_neighbors: fan-out per hop, e.g. ``[10, 10]``; ``-1`` takes every neighbour.

    Shapes:
        ``sample(seeds [B])`` -> ``(n_id [N_sub], edge_index [2, E_sub])`` with local ids;
        edges point from sampled neighbour to the node that sampled it.
    """

    # Above this degree/fan-out ratio, drawing positions and redrawing collisions is
    # cheaper than shuffling the whole neighbour list.
    _REJECTION_RATIO = 16

    def __init__(self, edge_index: Tensor, num_nodes: int, num_neighbors: Sequence[int]) -> None:
        if not num_neighbors:
            raise ValueError("num_neighbors must list at least one hop")
        self.num_nodes = num_nodes
        self.num_neighbors = [int(k) for k in num_neighbors]
        dst = edge_index[1]
        order = torch.argsort(dst, stable=True)
        self.col = edge_index[0][order].contiguous()  # sources, grouped by target
        counts = torch.bincount(dst, minlength=num_nodes)
        self.rowptr = torch.zeros(num_nodes + 1, dtype=torch.long)
        torch.cumsum(counts, 0, out=self.rowptr[1:])
        # global -> local id table, reset after every batch (cheaper than a hash map)
        self._local = torch.full((num_nodes,), -1, dtype=torch.long)

    def _sample_positions(self, deg: Tensor, k: int, gen: Optional[torch.Generator]) -> tuple[Tensor, Tensor]:
        """(row, offset) pairs: for row i, min(k, deg[i]) distinct offsets in [0, deg[i])."""
        take_all = (deg <= k) if k >= 0 else torch.ones_like(deg, dtype=torch.bool)
        rows_all = take_all.nonzero().view(-1)
        counts = deg[rows_all]
        rows = [torch.repeat_interleave(rows_all, counts)]
        offsets = [_segment_arange(counts)]
        if k >= 0:
            big = (~take_all).nonzero().view(-1)
            shuffle = big[deg[big] <= k * self._REJECTION_RATIO]
            redraw = big[deg[big] > k * self._REJECTION_RATIO]
            if shuffle.numel():
                r, o = _shuffle_take(deg[shuffle], k, gen)
                rows.append(shuffle[r])
                offsets.append(o)
            if redraw.numel():
                r, o = _rejection_take(deg[redraw], k, gen)
                rows.append(redraw[r])
                offsets.append(o)
        return torch.cat(rows), torch.cat(offsets)

    def sample(self, seeds: Tensor, generator: Optional[torch.Generator] = None) -> tuple[Tensor, Tensor]:
        # index_select / index_copy_ instead of tensor[idx]: on CPU advanced indexing
        # into multi-million-entry tables is ~30x slower than these kernels.
        seeds = seeds.long()
        local = self._local
        n_id = [seeds]
        local.index_copy_(0, seeds, torch.arange(seeds.numel()))
        count = seeds.numel()
        frontier, frontier_local = seeds, torch.arange(seeds.numel())
        srcs, dsts = [], []
        for k in self.num_neighbors:
            start = self.rowptr.index_select(0, frontier)
            deg = self.rowptr.index_select(0, frontier + 1) - start
            row, offset = self._sample_positions(deg, k, generator)
            neighbors = self.col.index_select(0, start.index_select(0, row) + offset)
            # new nodes get the next local ids, in order of first appearance
            unseen = neighbors[local.index_select(0, neighbors) < 0]
            new = _unique_first(unseen)
            local.index_copy_(0, new, torch.arange(count, count + new.numel()))
            count += new.numel()
            n_id.append(new)
            srcs.append(local.index_select(0, neighbors))
            dsts.append(frontier_local.index_select(0, row))
            frontier, frontier_local = new, local.index_select(0, new)
        n_id_all = torch.cat(n_id)
        local.index_fill_(0, n_id_all, -1)
        return n_id_all, torch.stack([torch.cat(srcs), torch.cat(dsts)])

    def loader(
        self,
        data: Data,
        input_nodes: Tensor,
        batch_size: int,
        shuffle: bool = True,
        generator: Optional[torch.Generator] = None,
    ) -> Iterator[Data]:
        """Mini-batches of ``batch_size`` seeds from ``input_nodes`` as PyG ``Data``
        (``x``, ``y`` and other node attributes sliced to ``n_id``)."""
        order = input_nodes[torch.randperm(input_nodes.numel(), generator=generator)] if shuffle else input_nodes
        for start in range(0, order.numel(), batch_size):
            seeds = order[start:start + batch_size]
            n_id, edge_index = self.sample(seeds, generator)
            batch = Data(edge_index=edge_index, n_id=n_id, batch_size=seeds.numel(), num_nodes=n_id.numel())
            for key in ("x", "y"):
                value = getattr(data, key, None)
                if value is not None:
                    batch[key] = value.index_select(0, n_id)
            yield batch


def _segment_arange(counts: Tensor) -> Tensor:
    """[0..c0-1, 0..c1-1, ...] for counts [c0, c1, ...]."""
    total = int(counts.sum())
    if total == 0:
        return torch.zeros(0, dtype=torch.long)
    starts = torch.cumsum(counts, 0) - counts
    return torch.arange(total) - torch.repeat_interleave(starts, counts)


def _shuffle_take(deg: Tensor, k: int, gen: Optional[torch.Generator]) -> tuple[Tensor, Tensor]:
    """Random keys over every neighbour position, sorted within each row; first k kept."""
    rows = torch.repeat_interleave(torch.arange(deg.numel()), deg)
    keys = rows.double() + torch.rand(rows.numel(), generator=gen, dtype=torch.float64)
    perm = torch.argsort(keys)
    offsets = _segment_arange(deg)[perm]  # offsets shuffled within each row
    rank = _segment_arange(deg)  # position after the shuffle (rows stay grouped)
    keep = rank < k
    return rows[keep], offsets[keep]


def _rejection_take(deg: Tensor, k: int, gen: Optional[torch.Generator]) -> tuple[Tensor, Tensor]:
    """k distinct offsets per row (deg >> k): draw, drop duplicates, redraw the shortfall."""
    n = deg.numel()
    rows = torch.arange(n).repeat_interleave(k)
    chosen = torch.empty(0, dtype=torch.long)  # encoded row * max_deg + offset
    scale = int(deg.max()) + 1
    need_rows = rows
    while need_rows.numel():
        draw = (torch.rand(need_rows.numel(), generator=gen, dtype=torch.float64) * deg[need_rows]).long()
        chosen = torch.unique(torch.cat([chosen, need_rows * scale + draw]))
        have = torch.bincount(chosen // scale, minlength=n)
        short = (k - have).clamp(min=0)
        need_rows = torch.arange(n).repeat_interleave(short)
    return chosen // scale, chosen % scale


def _unique_first(values: Tensor) -> Tensor:
    """Unique values in order of first appearance."""
    if values.numel() == 0:
        return values
    uniq, inverse = torch.unique(values, return_inverse=True)
    first = torch.full((uniq.numel(),), values.numel(), dtype=torch.long)
    first.scatter_reduce_(0, inverse, torch.arange(values.numel()), reduce="amin")
    return uniq[torch.argsort(first)]
