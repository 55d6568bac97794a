"""The Dual Hypergraph Transformation (DHT) of `Jo et al. 2021, "Edge Representation Learning
with Hypergraphs" <https://arxiv.org/abs/2106.15845>`_: a graph's edges become the nodes of a
hypergraph and its nodes become hyperedges (each node joins the edges incident to it).

The incidence matrix of the dual is the transpose of the graph's: hypernode ``e`` (edge
``e = (u, v)``) lies in hyperedges ``u`` and ``v``. In COO form the dual's
``hyperedge_index`` has two entries per edge, ``(e, u)`` then ``(e, v)``, so the edge's
direction (and a self-loop ``(u, u)``) is kept and the inverse is exact.
"""

from __future__ import annotations

from typing import Any, Optional

import torch
from torch import Tensor
from torch_geometric.data import Data
from torch_geometric.transforms import BaseTransform

# Keys the transformation renames; every other attribute (``y``, positional encodings, ...)
# is carried over unchanged in both directions.
_GRAPH_KEYS = ("x", "edge_index", "edge_attr", "batch", "ptr")
_DUAL_KEYS = ("x", "hyperedge_index", "hyperedge_attr", "batch", "hyperedge_batch", "ptr")


class DualHypergraphData(Data):
    """A dual hypergraph as a PyG ``Data``: ``x`` holds the hypernode (edge) features,
    ``hyperedge_attr`` the hyperedge (node) features, ``hyperedge_index [2, nnz]`` the
    incidences (row: hypernode, column: hyperedge). Batching offsets the two rows of
    ``hyperedge_index`` by the hypernodes and hyperedges of the graphs before it."""

    def __inc__(self, key: str, value: Any, *args, **kwargs) -> Any:
        if key == "hyperedge_index":
            return torch.tensor([[self.num_nodes], [self.num_hyperedges]])
        return super().__inc__(key, value, *args, **kwargs)

    @property
    def num_hyperedges(self) -> int:
        """Hyperedges (the original graph's nodes)."""
        stored = self._store.get("num_hyperedges")
        if stored is not None:
            return int(stored.sum()) if isinstance(stored, Tensor) else int(stored)
        return int(self.hyperedge_index[1].max()) + 1 if self.hyperedge_index.numel() else 0


def dual_incidence(edge_index: Tensor) -> Tensor:
    """The dual's ``hyperedge_index [2, 2E]``: entries ``(e, src_e)``, ``(e, dst_e)`` for every
    edge ``e`` in order (the transposed incidence matrix in COO form)."""
    num_edges = edge_index.size(1)
    hypernodes = torch.arange(num_edges, device=edge_index.device).repeat_interleave(2)  # [2E]
    return torch.stack([hypernodes, edge_index.t().reshape(-1)])  # [2, 2E]


def incidence_with_loops(edge_index: Tensor, num_nodes: int) -> tuple[Tensor, int]:
    """The dual incidence that EHGNN's convolutions read: every hypernode also gets a
    hyperedge of its own (``N + e``), as a self-loop in node message passing, and a
    hyperedge with a single incidence (a node one remaining edge touches once) is dropped,
    since that hypernode's own hyperedge already carries the same message.

    Returns:
        ``hyperedge_index [2, nnz]`` and the number of hyperedges (``N + E``; hyperedges of
        isolated nodes are empty).
    """
    num_edges = edge_index.size(1)
    incidence = dual_incidence(edge_index)
    counts = torch.bincount(incidence[1], minlength=num_nodes)
    incidence = incidence[:, counts[incidence[1]] > 1]
    loops = torch.arange(num_edges, device=edge_index.device)
    incidence = torch.cat([incidence, torch.stack([loops, loops + num_nodes])], dim=1)
    return incidence, num_nodes + num_edges


def node_major_incidence(edge_index: Tensor, num_nodes: int) -> Tensor:
    """The incidences of EHGNN's dual hypergraph (:func:`incidence_with_loops` without the
    own hyperedges) as ``[2, nnz]`` (node, edge), sorted by node, then edge: the part of the
    transformation that needs a sort, which a dataset caches per graph
    (:class:`~graphkit.transforms.add_dual_incidence.AddDualIncidence`)."""
    endpoints = edge_index.t().reshape(-1)  # entry k: edge k // 2
    kept = torch.bincount(endpoints, minlength=num_nodes)[endpoints] > 1
    edges = torch.arange(edge_index.size(1), device=edge_index.device).repeat_interleave(2)[kept]
    nodes = endpoints[kept]
    order = torch.sort(nodes, stable=True).indices  # edges stay ascending within a node
    return torch.stack([nodes[order], edges[order]])


class DualHypergraph(BaseTransform):
    """Graph -> dual hypergraph (:meth:`forward`) and back (:meth:`inverse`), exact inverses.

    Edge features (``edge_attr``) become hypernode features (``x``), node features (``x``)
    become hyperedge features (``hyperedge_attr``). A PyG ``Batch`` maps to the batch of
    the graphs' duals: ``batch`` becomes the hypernodes' graph index and ``hyperedge_batch``
    the hyperedges'. Attributes other than those are carried over unchanged.

    Shapes:
        ``edge_index [2, E]``, ``x [N, F]``, ``edge_attr [E, D]`` ->
        ``hyperedge_index [2, 2E]``, ``hyperedge_attr [N, F]``, ``x [E, D]``
    """

    def forward(self, data: Data) -> DualHypergraphData:
        dual = DualHypergraphData()
        for key, value in data.items():
            if key not in _GRAPH_KEYS:
                dual[key] = value
        dual.hyperedge_index = dual_incidence(data.edge_index)
        dual.num_nodes = data.edge_index.size(1)
        dual.num_hyperedges = data.num_nodes
        if data.get("edge_attr") is not None:
            dual.x = data.edge_attr
        if data.get("x") is not None:
            dual.hyperedge_attr = data.x
        if data.get("batch") is not None:
            dual.batch = data.batch[data.edge_index[0]] if data.edge_index.numel() else data.edge_index.new_zeros(0)
            dual.hyperedge_batch = data.batch
        return dual

    @staticmethod
    def inverse(dual: Data, num_nodes: Optional[int] = None) -> Data:
        """The graph whose dual is ``dual``; every hypernode must lie in exactly two
        incidences (its edge's source first, then its target)."""
        index = dual.hyperedge_index
        num_edges = dual.num_nodes
        if index.size(1) != 2 * num_edges:
            raise ValueError(f"a dual hypergraph of a graph has 2 incidences per hypernode; got {index.size(1)} "
                             f"for {num_edges} hypernodes")
        order = torch.sort(index[0], stable=True).indices  # source before target within an edge
        edge_index = index[1, order].view(num_edges, 2).t().contiguous()  # [2, E]
        graph = Data()
        for key, value in dual.items():
            if key not in _DUAL_KEYS and key not in ("num_nodes", "num_hyperedges"):
                graph[key] = value
        graph.edge_index = edge_index
        if dual.get("x") is not None:
            graph.edge_attr = dual.x
        if dual.get("hyperedge_attr") is not None:
            graph.x = dual.hyperedge_attr
        if dual.get("hyperedge_batch") is not None:
            graph.batch = dual.hyperedge_batch
        if num_nodes is None:
            num_nodes = dual.num_hyperedges if isinstance(dual, DualHypergraphData) else (
                int(edge_index.max()) + 1 if edge_index.numel() else 0)
        graph.num_nodes = num_nodes
        return graph
