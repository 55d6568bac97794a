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
        ``pad_nodes`` / ``unpad_nodes``: ``N`` <-> ``B * L`` along one dim.
    """

    index: Tensor
    mask: Tensor
    num_graphs: int
    max_nodes: int
    _key_bias: dict = field(default_factory=dict, init=False, repr=False, compare=False)

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
        return self.pad_nodes(x).view(self.num_graphs, self.max_nodes, x.size(-1))

    def to_flat(self, h: Tensor) -> Tensor:
        """Gathers the real nodes back from a ``[B, L, C]`` tensor, in node order."""
        return self.unpad_nodes(h.reshape(self.num_graphs * self.max_nodes, h.size(-1)))

    def pad_nodes(self, x: Tensor, dim: int = 0) -> Tensor:
        """Scatters the ``N`` nodes along ``dim`` of ``x`` to their ``B * L`` padded
        slots, zeros elsewhere (``x`` may be a strided view)."""
        shape = list(x.shape)
        shape[dim] = self.num_graphs * self.max_nodes
        return x.new_zeros(shape).index_copy_(dim, self.index, x)  # in place: no copy of the zeros

    def unpad_nodes(self, h: Tensor, dim: int = 0) -> Tensor:
        """Gathers the real nodes, in node order, from the ``B * L`` slots along ``dim``."""
        return h.index_select(dim, self.index)

    def key_bias(self, heads: int, dtype: torch.dtype = torch.float32) -> Tensor:
        """Additive attention mask ``[heads * B, 1, L]`` for a heads-major ``[H, B]``
        batch: 0 on real nodes, ``-inf`` on padding. Built once per ``(heads, dtype)``
        and reused by every layer."""
        key = (heads, dtype)
        if key not in self._key_bias:
            bias = torch.zeros(self.mask.shape, dtype=dtype, device=self.mask.device)
            bias = bias.masked_fill_(~self.mask, float("-inf"))  # [B, L]
            self._key_bias[key] = bias.repeat(heads, 1).view(heads * self.num_graphs, 1, self.max_nodes)
        return self._key_bias[key]
