import torch

from graphkit.linkpred.target_link_removal import TargetLinkRemoval
from tests.linkpred._graphs import EDGES, NUM_NODES, dense_adjacency


def test_target_link_removal_removes_exactly_the_batch_edges():
    edge = EDGES.t()  # [7, 2]
    removal = TargetLinkRemoval(edge, NUM_NODES)
    batch = torch.tensor([1, 4])  # edges (0, 2) and (2, 3)
    adj = removal.adjacency_without(batch).to_dense()
    expected = dense_adjacency()
    for u, v in edge[batch].tolist():
        expected[u, v] = expected[v, u] = 0.0
    torch.testing.assert_close(adj, expected)
    torch.testing.assert_close(removal.full().to_dense(), dense_adjacency())


def test_target_link_removal_handles_duplicates_and_reversed_edges():
    edge = torch.tensor([[0, 1], [1, 0], [1, 2]])
    removal = TargetLinkRemoval(edge, 3)
    adj = removal.adjacency_without(torch.tensor([0])).to_dense()
    # (0, 1) listed twice: removing one listing removes the undirected edge
    assert adj[0, 1] == 0 and adj[1, 0] == 0 and adj[1, 2] == 1 and adj[2, 1] == 1
