"""EHGNN's dual hypergraph of a graph's (remaining) edges, in the form its convolutions read."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, Optional

import torch
from torch import Tensor

from graphkit.transforms.dual_hypergraph import node_major_incidence


def _csr(entries: Tensor, values: Tensor, num_rows: int, num_cols: int) -> Tensor:
    """CSR matrix of ``entries [2, nnz]`` already sorted by row (no sort here)."""
    crow = entries.new_zeros(num_rows + 1)
    torch.cumsum(torch.bincount(entries[0], minlength=num_rows), 0, out=crow[1:])
    with warnings.catch_warnings():  # "sparse CSR support is in beta": products are tested against PyG
        warnings.simplefilter("ignore", UserWarning)
        return torch.sparse_csr_tensor(crow, entries[1], values, (num_rows, num_cols), check_invariants=False)


class _Propagate(torch.autograd.Function):
    """``y = D^-1 (H B^-1 H^T x + x)``; the operator is symmetric up to ``D^-1``, so the
    backward is the same products with ``D^-1`` applied first (no transposed CSR is built)."""

    @staticmethod
    def forward(ctx: Any, x: Tensor, dual: "DualOperator") -> Tensor:  # type: ignore[override]
        ctx.dual = dual
        return dual.edge_inv_degree * (dual.spread(x) + x)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None]:  # type: ignore[override]
        dual = ctx.dual
        grad = dual.edge_inv_degree * grad
        return dual.spread(grad) + grad, None


@dataclass(frozen=True)
class DualOperator:
    """The dual hypergraph that EHGNN's hypergraph convolutions work on: hypernode ``e`` (an
    edge) lies in hyperedge ``v`` for each endpoint ``v`` of ``e`` and in a hyperedge of its
    own (a self-loop); a node hyperedge with a single incidence is dropped, since the
    hypernode's own hyperedge already carries that message (the reference code's
    augmented incidence, :func:`graphkit.transforms.dual_hypergraph.incidence_with_loops`).

    The own hyperedges are not stored: with ``H [E, N]`` the node incidences, the
    normalized product is ``P x = D^-1 (H B^-1 H^T x + x)`` (``D``: hyperedges per
    hypernode, own included; ``B``: incidences per node hyperedge), two CSR products.
    The incidences are kept twice, edge-major and node-major, so neither a product nor
    its backward sorts anything, and :meth:`keep` derives the dual of the edges that
    remain after HyperDrop by filtering both lists, which stay sorted.

    Attributes:
        incidence, incidence_t: ``H [E, N]`` and ``H^T [N, E]`` in CSR form (ones; an edge
            incident twice to a node, a self-loop, has two entries).
        edge_inv_degree: ``D^-1 [E, 1]``.
        node_inv_degree: ``B^-1 [N, 1]``; 0 for a dropped or isolated node.
        edge_entries, node_entries: ``[2, nnz]`` (edge, node) sorted by edge and
            (node, edge) sorted by node.
    """

    incidence: Tensor
    incidence_t: Tensor
    edge_inv_degree: Tensor
    node_inv_degree: Tensor
    edge_entries: Tensor
    node_entries: Tensor

    @property
    def num_edges(self) -> int:
        return self.incidence.size(0)

    @property
    def num_nodes(self) -> int:
        return self.incidence.size(1)

    @classmethod
    def build(cls, edge_index: Tensor, num_nodes: int, node_entries: Optional[Tensor] = None) -> "DualOperator":
        """The dual hypergraph of the graph with ``edge_index [2, E]``; ``node_entries`` is
        :func:`~graphkit.transforms.dual_hypergraph.node_major_incidence` of
        it when already known (cached with the dataset)."""
        # each edge's endpoints in ascending order, so CSR columns are sorted within a row
        endpoints = torch.stack([edge_index.min(0).values, edge_index.max(0).values], 1).reshape(-1)
        kept = torch.bincount(endpoints, minlength=num_nodes)[endpoints] > 1
        edges = torch.arange(edge_index.size(1), device=edge_index.device).repeat_interleave(2)[kept]
        edge_entries = torch.stack([edges, endpoints[kept]])
        if node_entries is None:
            node_entries = node_major_incidence(edge_index, num_nodes)
        elif node_entries.size(1) != edge_entries.size(1):
            raise ValueError(f"cached dual incidences have {node_entries.size(1)} entries, the edges "
                             f"{edge_entries.size(1)}: the cache was built for other edges")
        return cls.of_entries(edge_entries, node_entries, edge_index.size(1), num_nodes)

    @classmethod
    def of_entries(cls, edge_entries: Tensor, node_entries: Tensor, num_edges: int, num_nodes: int) -> "DualOperator":
        ones = torch.ones(edge_entries.size(1), device=edge_entries.device)
        per_edge = torch.bincount(edge_entries[0], minlength=num_edges).float()
        per_node = torch.bincount(node_entries[0], minlength=num_nodes).float()
        node_inv = per_node.reciprocal().masked_fill(per_node == 0, 0.0)
        return cls(_csr(edge_entries, ones, num_edges, num_nodes), _csr(node_entries, ones, num_nodes, num_edges),
                   (per_edge + 1.0).reciprocal().unsqueeze(-1), node_inv.unsqueeze(-1), edge_entries, node_entries)

    def keep(self, index: Tensor) -> "DualOperator":
        """The dual hypergraph of the edges ``index`` (ascending) of this one, renumbered
        ``0..len(index)-1`` in that order."""
        mask = torch.zeros(self.num_edges, dtype=torch.bool, device=index.device)
        mask[index] = True
        renumber = torch.cumsum(mask, 0) - 1
        edge_entries = self.edge_entries[:, mask[self.edge_entries[0]]]
        node_entries = self.node_entries[:, mask[self.node_entries[1]]]
        # a node left with a single incidence loses its hyperedge
        counts = torch.bincount(node_entries[0], minlength=self.num_nodes)
        edge_entries = edge_entries[:, counts[edge_entries[1]] > 1]
        node_entries = node_entries[:, counts[node_entries[0]] > 1]
        edge_entries = torch.stack([renumber[edge_entries[0]], edge_entries[1]])
        node_entries = torch.stack([node_entries[0], renumber[node_entries[1]]])
        return self.of_entries(edge_entries, node_entries, index.numel(), self.num_nodes)

    def spread(self, x: Tensor) -> Tensor:
        """``H B^-1 H^T x`` ``[E, C]`` (no gradient; :meth:`propagate` has one)."""
        return torch.sparse.mm(self.incidence, self.node_inv_degree * torch.sparse.mm(self.incidence_t, x))

    def propagate(self, x: Tensor) -> Tensor:
        """``D^-1 (H B^-1 H^T + I) x``: the normalized hypergraph product ``[E, C]``, with
        gradient for ``x``."""
        return _Propagate.apply(x.contiguous(), self)
