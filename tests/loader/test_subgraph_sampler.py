import pytest
import torch
from torch_geometric.utils import coalesce, to_undirected

from graphkit.loader.subgraph_sampler import SubgraphSampler


def _graph():
    # a wheel: hub 0 joined to 1..9, and a ring 1-2-...-9-1, plus a pendant 10 on node 5
    edges = [(0, i) for i in range(1, 10)] + [(i, i % 9 + 1) for i in range(1, 10)] + [(5, 10)]
    ei = torch.tensor(edges).t()
    return coalesce(to_undirected(ei)), 11


@pytest.mark.parametrize("method", ["rwr", "khop"])
def test_subgraphs_respect_caps_and_start_with_the_marked_centre(method):
    ei, n = _graph()
    sampler = SubgraphSampler(method, num_hops=2, max_nodes=5, max_edges=4, rwse_steps=3, seed=1)
    subs = sampler.sample(ei, n, torch.arange(n))
    nodes, edges = subs.sizes()
    assert (nodes <= 5).all() and (nodes >= 1).all()
    assert (edges <= 2 * 4).all()  # both directions of at most 4 undirected edges
    assert torch.equal(subs.nodes[subs.node_ptr[:-1]], torch.arange(n))  # centre first
    adj = set(map(tuple, ei.t().tolist()))
    for i in range(n):
        glob = subs.nodes[subs.node_ptr[i]:subs.node_ptr[i + 1]]
        assert glob.unique().numel() == glob.numel()
        local = subs.edge_index[:, subs.edge_ptr[i]:subs.edge_ptr[i + 1]]
        for u, v in local.t().tolist():  # every kept edge exists in the graph
            assert (int(glob[u]), int(glob[v])) in adj
    batch = subs.batch(torch.tensor([3, 0]), torch.randn(n, 2))
    assert batch.center_mask.sum() == 2
    assert torch.equal(batch.node_id[batch.center_index], torch.tensor([3, 0]))
    assert batch.rwse.shape == (batch.x.size(0), 3)


def test_subgraph_sampler_is_deterministic_for_a_seed():
    ei, n = _graph()
    a = SubgraphSampler("rwr", max_nodes=4, seed=3).sample(ei, n, torch.arange(n))
    b = SubgraphSampler("rwr", max_nodes=4, seed=3).sample(ei, n, torch.arange(n))
    assert torch.equal(a.nodes, b.nodes) and torch.equal(a.edge_index, b.edge_index)


def test_khop_without_cap_is_the_exact_two_hop_ball():
    ei, n = _graph()
    subs = SubgraphSampler("khop", num_hops=2, max_nodes=100, max_edges=100).sample(ei, n, torch.tensor([10]))
    assert set(subs.nodes.tolist()) == {10, 5, 0, 4, 6}


def test_subgraph_sampler_refuses_a_directed_graph():
    import pytest

    from graphkit.errors import DatasetError
    from graphkit.loader.subgraph_sampler import SubgraphSampler

    path = torch.tensor([[0, 1, 2], [1, 2, 3]])  # 0 -> 1 -> 2 -> 3, one direction only
    with pytest.raises(DatasetError, match="data.directed: false"):
        SubgraphSampler(method="khop").sample(path, 4, [0])
    both = torch.cat([path, path.flip(0)], 1)
    assert SubgraphSampler(method="khop").sample(both, 4, [0]).nodes.numel() >= 2
