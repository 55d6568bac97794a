"""Index bookkeeping between PyG's flat node layout and a padded ``[B, L, C]`` layout."""

from __future__ import annotations

from dataclasses import dataclass
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
        ``to_dense``: ``[N, C] -> [B, L, C]``; ``to_flat``: ``[B, L, C] -> [N, C]``.
    """

    index: Tensor
    mask: Tensor
    num_graphs: int
    max_nodes: int

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
        out = out.index_copy(0, self.index, x)
        return out.view(self.num_graphs, self.max_nodes, x.size(-1))

    def to_flat(self, h: Tensor) -> Tensor:
        """Gathers the real nodes back from a ``[B, L, C]`` tensor, in node order."""
        return h.reshape(self.num_graphs * self.max_nodes, h.size(-1)).index_select(0, self.index)
