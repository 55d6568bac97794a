"""Index bookkeeping between PyG's flat node layout and a padded ``[B, L, C]`` layout."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import torch
from torch import Tensor


@dataclass(frozen=True)
class PaddedBatch:
    """Where each node of a mini-batch sits in a padded ``[num_graphs, max_nodes]`` grid.

    Computed once per mini-batch and shared by every layer, so that the per-layer cost
    of densifying is one ``index_copy`` and one ``index_select`` (PyG's ``to_dense_batch``
    recomputes counts, cumsums and the mask on every call).

    Args:
        index: flat position ``graph * max_nodes + rank_in_graph`` of each node.
        mask: ``[B, L]`` True where a slot holds a node.
        num_graphs: ``B``.
        max_nodes: ``L``.

    Shapes:
        ``to_dense``: ``[N, C] -> [B, L, C]``; ``to_flat``: ``[B, L, C] -> [N, C]``;
        ``pad_parts``: ``[N, P * d] -> [P * B * L, d]``; ``unpad_parts``: the inverse.
    """

    index: Tensor
    mask: Tensor
    num_graphs: int
    max_nodes: int
    _cache: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    @staticmethod
    def from_batch(
        batch: Optional[Tensor], num_nodes: int, num_graphs: Optional[int] = None,
        order: Optional[Tensor] = None,
    ) -> "PaddedBatch":
        """Builds the layout from PyG's sorted ``batch`` vector.

        Args:
            batch: graph id of each node, sorted ascending (PyG's collation); ``None``
                means one graph.
            num_nodes: ``N``.
            num_graphs: ``B``; inferred from ``batch`` when omitted.
            order: optional permutation of the nodes: nodes are laid out in the
                sequence ``order`` (it must keep nodes grouped by graph, e.g. a
                lexicographic sort by ``(batch, key)``). Default: node order.
        """
        if batch is None:
            batch = torch.zeros(num_nodes, dtype=torch.long)
        device = batch.device
        if num_graphs is None:
            num_graphs = int(batch.max()) + 1 if num_nodes > 0 else 0
        counts = torch.bincount(batch, minlength=num_graphs)  # [B]
        max_nodes = int(counts.max()) if num_nodes > 0 else 0
        starts = torch.cumsum(counts, 0) - counts  # first flat node of each graph
        seq = torch.arange(num_nodes, device=device)
        if order is None:
            rank = seq - starts[batch]
        else:
            rank = torch.empty_like(seq)
            rank[order] = seq - starts[batch[order]]
        index = batch * max_nodes + rank
        mask = torch.zeros(num_graphs * max_nodes, dtype=torch.bool, device=device)
        mask[index] = True
        return PaddedBatch(index, mask.view(num_graphs, max_nodes), num_graphs, max_nodes)

    def to_dense(self, x: Tensor) -> Tensor:
        """Scatters node rows into a zero-padded ``[B, L, C]`` tensor."""
        out = x.new_zeros(self.num_graphs * self.max_nodes, x.size(-1))
        out = out.index_copy_(0, self.index, x)  # in place: no copy of the zeros
        return out.view(self.num_graphs, self.max_nodes, x.size(-1))

    def to_flat(self, h: Tensor) -> Tensor:
        """Gathers the real nodes back from a ``[B, L, C]`` tensor, in node order."""
        return h.reshape(self.num_graphs * self.max_nodes, h.size(-1)).index_select(0, self.index)

    def pad_parts(self, x: Tensor, parts: int) -> Tensor:
        """Splits each node row of ``x [N, parts * d]`` into ``parts`` rows of ``d`` and lays
        them out part-major, ``[parts * B * L, d]`` (part ``j`` of node ``n`` at row
        ``j * B * L + index[n]``), zeros on padding: for attention heads (``parts = H``,
        or ``3H`` for packed q/k/v) each part is then a contiguous ``[B, L, d]`` block.

        A gather from the rows plus one appended zero row, which costs half of a scatter
        into zeros on CPU."""
        rows = x.reshape(-1, x.size(-1) // parts)  # [N * parts, d], a view
        rows = torch.cat([rows, rows.new_zeros(1, rows.size(1))])
        return rows.index_select(0, self._indices(parts)[1])

    def unpad_parts(self, h: Tensor, parts: int) -> Tensor:
        """Inverse of :meth:`pad_parts`: ``[parts * B * L, d]`` -> ``[N, parts * d]``."""
        return h.reshape(-1, h.size(-1)).index_select(0, self._indices(parts)[0]).view(
            self.index.size(0), -1)

    def _indices(self, parts: int) -> tuple[Tensor, Tensor]:
        # (row of each (node, part) in the part-major grid, source row of each grid slot
        # with N * parts for padding); built once per batch and part count
        key = ("parts", parts)
        if key not in self._cache:
            grid = self.num_graphs * self.max_nodes
            part = torch.arange(parts, device=self.index.device)
            slot = (part.view(1, -1) * grid + self.index.view(-1, 1)).view(-1)  # [N * parts]
            source = torch.full((parts * grid,), slot.numel(), dtype=torch.long, device=slot.device)
            source[slot] = torch.arange(slot.numel(), device=slot.device)
            self._cache[key] = (slot, source)
        return self._cache[key]

    def key_bias(self, heads: int, dtype: torch.dtype = torch.float32) -> Tensor:
        """Additive attention mask ``[heads * B, 1, L]`` for a heads-major ``[H, B]``
        batch: 0 on real nodes, ``-inf`` on padding. Built once per ``(heads, dtype)``
        and reused by every layer."""
        key = ("bias", heads, dtype)
        if key not in self._cache:
            bias = torch.zeros(self.mask.shape, dtype=dtype, device=self.mask.device)
            bias = bias.masked_fill_(~self.mask, float("-inf"))  # [B, L]
            self._cache[key] = bias.repeat(heads, 1).view(heads * self.num_graphs, 1, self.max_nodes)
        return self._cache[key]
