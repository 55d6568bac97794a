import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
import torch
from torch_geometric.data import Data

from graphkit.embed.adjacency import as_adjacency
from graphkit.errors import ConfigError


def test_as_adjacency_edge_index_sums_duplicates_and_keeps_direction():
    edge_index = torch.tensor([[0, 0, 1], [1, 1, 2]])
    a = as_adjacency(edge_index, num_nodes=4)
    np.testing.assert_array_equal(a.toarray(), [[0, 2, 0, 0], [0, 0, 1, 0], [0, 0, 0, 0], [0, 0, 0, 0]])


def test_as_adjacency_reads_pyg_weights_and_networkx():
    data = Data(edge_index=torch.tensor([[0, 1], [1, 0]]), edge_weight=torch.tensor([2.0, 3.0]), num_nodes=3)
    np.testing.assert_array_equal(as_adjacency(data).toarray(), [[0, 2, 0], [3, 0, 0], [0, 0, 0]])
    g = nx.Graph()
    g.add_edge("a", "b", weight=5.0)
    g.add_node("c")
    np.testing.assert_array_equal(as_adjacency(g).toarray(), [[0, 5, 0], [5, 0, 0], [0, 0, 0]])


def test_as_adjacency_rejects_bad_input():
    with pytest.raises(ConfigError, match="cannot read"):
        as_adjacency("graph.txt")
    with pytest.raises(ConfigError, match="square"):
        as_adjacency(sp.csr_matrix((2, 3)))
    with pytest.raises(ConfigError, match="num_nodes"):
        as_adjacency(np.array([[0, 5], [5, 0]]), num_nodes=3)
    with pytest.raises(ConfigError, match="edge_weight"):
        as_adjacency(Data(edge_index=torch.tensor([[0], [1]]), edge_weight=torch.ones(2), num_nodes=2))
