import math

import networkx as nx
import pytest
import torch

from graphkit.linkpred.adjacency import build_adjacency
from graphkit.linkpred.heuristics import adamic_adar, common_neighbors, resource_allocation
from tests.linkpred._graphs import EDGES, NUM_NODES

PAIRS = torch.tensor([[0, 1, 2, 0], [3, 2, 4, 5]])


def test_common_neighbors_hand_computed():
    adj = build_adjacency(EDGES, NUM_NODES)
    assert common_neighbors(adj, PAIRS).tolist() == [2.0, 2.0, 1.0, 0.0]


def test_adamic_adar_hand_computed():
    adj = build_adjacency(EDGES, NUM_NODES)
    expected = [2 / math.log(3), 1 / math.log(2) + 1 / math.log(3), 1 / math.log(3), 0.0]
    assert adamic_adar(adj, PAIRS).tolist() == pytest.approx(expected, rel=1e-6)


def test_resource_allocation_hand_computed():
    adj = build_adjacency(EDGES, NUM_NODES)
    expected = [2 / 3, 1 / 2 + 1 / 3, 1 / 3, 0.0]
    assert resource_allocation(adj, PAIRS).tolist() == pytest.approx(expected, rel=1e-6)


def test_heuristics_match_networkx_in_small_batches():
    g = nx.gnm_random_graph(10, 20, seed=3)
    edge_index = torch.tensor(list(g.edges())).t()
    adj = build_adjacency(edge_index, 10)
    pairs = [(i, j) for i in range(10) for j in range(i + 1, 10)]
    pair_index = torch.tensor(pairs).t()
    aa = adamic_adar(adj, pair_index, batch_size=7)
    ra = resource_allocation(adj, pair_index, batch_size=7)
    assert aa.tolist() == pytest.approx([p for _, _, p in nx.adamic_adar_index(g, pairs)], rel=1e-6)
    assert ra.tolist() == pytest.approx([p for _, _, p in nx.resource_allocation_index(g, pairs)], rel=1e-6)
