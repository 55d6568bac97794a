"""Input graphs without the batch's target links (NCN's "target link removal")."""

from __future__ import annotations

import torch
from torch import Tensor

from graphkit.linkpred.adjacency import csr_from_sorted


class TargetLinkRemoval:
    """Builds the training adjacency with a batch of training edges taken out.

    A model that sees its target edge in the input learns to detect it rather than to
    predict it (https://arxiv.org/abs/2302.00890, Sec. 5); removing the batch's positive
    edges from the input graph closes that shortcut.

    The symmetric CSR structure is laid out once, with each stored entry tagged by its
    undirected edge, so a batch costs one mask and one ``bincount``.

    Args:
        edge: ``[E, 2]`` training edges (OGB's ``split["train"]["edge"]``); duplicates and
            either orientation are fine.
        num_nodes: number of nodes.

    Shapes:
        ``adjacency_without(batch [B])`` -> ``[N, N]`` binary sparse CSR
    """

    def __init__(self, edge: Tensor, num_nodes: int) -> None:
        lo = torch.minimum(edge[:, 0], edge[:, 1])
        hi = torch.maximum(edge[:, 0], edge[:, 1])
        key, self.edge_to_unique = torch.unique(lo * num_nodes + hi, return_inverse=True)
        self_loop = (key // num_nodes) == (key % num_nodes)
        u, v = key // num_nodes, key % num_nodes
        ids = torch.arange(key.numel(), device=edge.device)
        row = torch.cat([u, v])[~torch.cat([self_loop, self_loop])]
        col = torch.cat([v, u])[~torch.cat([self_loop, self_loop])]
        entry_id = torch.cat([ids, ids])[~torch.cat([self_loop, self_loop])]
        order = torch.argsort(row * num_nodes + col)
        self.row, self.col, self.entry_id = row[order], col[order], entry_id[order]
        self.num_nodes = num_nodes
        self.num_unique = key.numel()

    def full(self) -> Tensor:
        """The whole training adjacency."""
        return csr_from_sorted(self.row, self.col, self.num_nodes, self.num_nodes)

    def adjacency_without(self, batch: Tensor) -> Tensor:
        """Adjacency without the edges ``edge[batch]`` (both directions).

        Args:
            batch: indices into the ``edge`` given at construction.
        """
        removed = torch.zeros(self.num_unique, dtype=torch.bool, device=self.row.device)
        removed[self.edge_to_unique[batch]] = True
        keep = ~removed[self.entry_id]
        return csr_from_sorted(self.row[keep], self.col[keep], self.num_nodes, self.num_nodes)
