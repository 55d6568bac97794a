"""Caches the sorted incidences of EHGNN's dual hypergraph with each graph of a dataset."""

from __future__ import annotations

from torch_geometric.data import Data
from torch_geometric.transforms import BaseTransform

from graphkit.transforms.dual_hypergraph import node_major_incidence


class AddDualIncidence(BaseTransform):
    """Adds the node-major incidences of a graph's dual hypergraph
    (:func:`~graphkit.transforms.dual_hypergraph.node_major_incidence`) as
    ``data.dht_node_index [nnz]`` (node ids, offset like ``edge_index`` when batched) and
    ``data.dht_edge [nnz]`` (the graph's own edge numbers), so EHGNN builds each batch's dual
    hypergraph without sorting (``data.pe.dual_hypergraph: true`` caches them with the
    processed dataset: computed once per dataset, not per batch or epoch).
    """

    def forward(self, data: Data) -> Data:
        incidence = node_major_incidence(data.edge_index, data.num_nodes)
        data.dht_node_index, data.dht_edge = incidence[0], incidence[1]
        return data
