import torch
from torch_geometric.data import Batch, Data

from graphkit.transforms.hac_tokenization import AddHACTokenization, hac_ranks


def _two_triangles_and_a_path() -> Batch:
    # graph 0: two triangles {0,1,2}, {3,4,5} joined by the bridge 2-3; graph 1: a 4-path
    tri = torch.tensor([[0, 1, 2, 3, 4, 5, 2], [1, 2, 0, 4, 5, 3, 3]])
    path = torch.tensor([[0, 1, 2], [1, 2, 3]])
    graphs = [Data(x=torch.zeros(n, 1, dtype=torch.long), edge_index=torch.cat([e, e.flip(0)], 1),
                   num_nodes=n) for e, n in ((tri, 6), (path, 4))]
    return Batch.from_data_list(graphs)


def test_hac_ranks_are_a_permutation_per_graph_and_level():
    b = _two_triangles_and_a_path()
    ranks = hac_ranks(b.edge_index, b.num_nodes, b.x, b.batch, levels=3, seed=0)
    assert ranks.shape == (10, 3)
    for level in range(3):
        for g, n in ((0, 6), (1, 4)):
            assert torch.equal(ranks[b.batch == g, level].sort().values, torch.arange(n))


def test_hac_ranks_deterministic_for_a_seed_and_seed_dependent():
    b = _two_triangles_and_a_path()
    first = hac_ranks(b.edge_index, b.num_nodes, b.x, b.batch, levels=3, seed=7)
    assert torch.equal(first, hac_ranks(b.edge_index, b.num_nodes, b.x, b.batch, levels=3, seed=7))
    others = [hac_ranks(b.edge_index, b.num_nodes, b.x, b.batch, levels=3, seed=s) for s in range(5)]
    assert any(not torch.equal(first, o) for o in others)


def test_hac_first_level_keeps_each_triangle_contiguous():
    # the triangles' inner edges have Jaccard affinity 1 (closed neighbourhoods of 0 and 1
    # are equal), the bridge less: level 1 clusters are the triangles
    b = _two_triangles_and_a_path()
    for seed in range(5):
        ranks = hac_ranks(b.edge_index, b.num_nodes, b.x, b.batch, levels=1, seed=seed)[:6, 0]
        first = set(ranks[:3].tolist())
        assert first in ({0, 1, 2}, {3, 4, 5})


def test_add_hac_tokenization_matches_the_batched_ranks_per_graph():
    b = _two_triangles_and_a_path()
    g = AddHACTokenization(levels=2, seed=3)(b.get_example(1))
    expected = hac_ranks(g.edge_index, g.num_nodes, g.x, levels=2, seed=3)
    assert torch.equal(g.hac_rank, expected)
    assert g.hac_rank.shape == (4, 2)
