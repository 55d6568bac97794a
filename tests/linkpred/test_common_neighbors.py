import torch

from graphkit.linkpred.adjacency import build_adjacency
from graphkit.linkpred.common_neighbors import common_neighbor_sum, neighbor_overlap
from tests.linkpred._graphs import EDGES, NUM_NODES, dense_adjacency


def _all_pairs() -> torch.Tensor:
    return torch.cartesian_prod(torch.arange(NUM_NODES), torch.arange(NUM_NODES)).t()


def test_common_neighbor_sum_equals_dense_reference():
    adj = build_adjacency(EDGES, NUM_NODES)
    dense = dense_adjacency()
    x = torch.randn(NUM_NODES, 5)
    pairs = _all_pairs()
    expected = (dense[pairs[0]] * dense[pairs[1]]) @ x  # [B, 5]
    torch.testing.assert_close(common_neighbor_sum(adj, x, pairs), expected)


def test_neighbor_overlap_residual_parts_equal_dense_reference():
    adj = build_adjacency(EDGES, NUM_NODES)
    dense = dense_adjacency()
    pairs = _all_pairs()
    out = neighbor_overlap(adj, adj, pairs, with_residual=True)
    a_i, a_j = dense[pairs[0]], dense[pairs[1]]
    torch.testing.assert_close(out.common.to_dense(), a_i * a_j)
    torch.testing.assert_close(out.only_src.to_dense(), a_i * (1 - a_j))
    torch.testing.assert_close(out.only_dst.to_dense(), a_j * (1 - a_i))


def test_neighbor_overlap_with_two_hop_matrix_equals_dense_reference():
    adj = build_adjacency(EDGES, NUM_NODES)
    dense = dense_adjacency()
    two = ((dense @ dense) > 0).float()
    adj2 = build_adjacency(two.nonzero().t(), NUM_NODES)  # drops the diagonal
    two.fill_diagonal_(0)
    pairs = _all_pairs()
    out = neighbor_overlap(adj, adj2, pairs).common
    torch.testing.assert_close(out.to_dense(), dense[pairs[0]] * two[pairs[1]])


def test_common_neighbor_sum_passes_gradient_to_features():
    adj = build_adjacency(EDGES, NUM_NODES)
    x = torch.randn(NUM_NODES, 3, requires_grad=True)
    common_neighbor_sum(adj, x, torch.tensor([[0], [3]])).sum().backward()
    # CN(0, 3) = {1, 2}: only those rows get gradient
    assert x.grad.abs().sum(1).nonzero().view(-1).tolist() == [1, 2]


def test_neighbor_overlap_handles_isolated_nodes():
    adj = build_adjacency(torch.tensor([[0], [1]]), 4)
    out = neighbor_overlap(adj, adj, torch.tensor([[2, 3], [3, 2]]), with_residual=True)
    assert out.common._nnz() == 0 and out.only_src._nnz() == 0
