import math

import pytest
import torch
from torch_geometric.utils import to_undirected

from graphkit.pretrain.gcl.augmentation import (
    drop_edges,
    eigenvector_centrality,
    gca_edge_drop_probs,
    gca_feature_mask_probs,
    mask_features,
    node_centrality,
)

# a star: centre 0, leaves 1, 2, 3 (both directions stored)
STAR = to_undirected(torch.tensor([[0, 0, 0], [1, 2, 3]]))


def test_gca_edge_drop_probs_hand_values():
    # degree centrality: 3 at the centre, 1 at the leaves; an edge's s is log phi(target):
    # into the centre s = log 3 = s_max -> weight 0; into a leaf s = 0, mean(s) = log 3 / 2
    # -> weight (log 3 - 0) / (log 3 - log 3 / 2) = 2; times p, capped at p_max
    centrality = node_centrality(STAR, 4, "degree")
    assert centrality.tolist() == [3.0, 1.0, 1.0, 1.0]
    into_leaf = STAR[1] != 0
    for p, leaf_prob in ((0.3, 0.6), (0.4, 0.7)):  # 0.8 is capped at 0.7
        probs = gca_edge_drop_probs(STAR, centrality, p, p_max=0.7)
        assert torch.allclose(probs[into_leaf], torch.full((3,), leaf_prob))
        assert torch.allclose(probs[~into_leaf], torch.zeros(3))


def test_gca_feature_mask_probs_hand_values():
    # feature 0 on the centre only: w = 3; feature 1 on leaves 1 and 2: w = 1 + 1 = 2.
    # s = (log 3, log 2), s_max = log 3, mean = (log 3 + log 2) / 2 -> weights (0, 2)
    x = torch.tensor([[0.5, 0.0], [0.0, 0.2], [0.0, 0.7], [0.0, 0.0]])
    centrality = node_centrality(STAR, 4, "degree")
    assert torch.allclose(gca_feature_mask_probs(x, centrality, 0.3), torch.tensor([0.0, 0.6]))
    # dense weights: |x| . phi = (1.5, 0.9) -> s = (log 1.5, log 0.9): weights (0, 2) again
    assert torch.allclose(gca_feature_mask_probs(x, centrality, 0.3, dense=True), torch.tensor([0.0, 0.6]))


def test_eigenvector_centrality_matches_networkx():
    nx = pytest.importorskip("networkx")
    edges = [(0, 1), (1, 2), (2, 3), (3, 0), (0, 2), (3, 4), (4, 5)]
    graph = nx.Graph(edges)
    expected = nx.eigenvector_centrality(graph)
    got = eigenvector_centrality(to_undirected(torch.tensor(edges).t()), 6)
    assert torch.allclose(got, torch.tensor([expected[i] for i in range(6)], dtype=torch.float), atol=1e-4)


def test_pagerank_sums_to_the_number_of_nodes_on_a_regular_graph():
    # every node of a cycle has the same rank, and GCA's unnormalized iteration keeps 1 each
    cycle = to_undirected(torch.tensor([[0, 1, 2, 3, 4], [1, 2, 3, 4, 0]]))
    assert torch.allclose(node_centrality(cycle, 5, "pagerank"), torch.ones(5))


def test_uniform_augmentations_drop_the_expected_share():
    torch.manual_seed(0)
    edge_index = torch.randint(0, 50, (2, 20000))
    assert abs(drop_edges(edge_index, 0.3).size(1) / 20000 - 0.7) < 0.02
    x = torch.ones(10, 4000)
    masked = mask_features(x, 0.25)
    assert abs((masked[0] == 0).float().mean().item() - 0.25) < 0.03
    assert torch.equal(masked[0], masked[9])  # whole columns, as GRACE masks them
    assert math.isclose(drop_edges(edge_index, 0.0).size(1), 20000)
