import torch

from graphkit.linkpred.edge_split import random_link_split, undirected_pairs
from graphkit.linkpred.negative_sampling import sample_non_edges


def _ring(n: int) -> torch.Tensor:
    src = torch.arange(n)
    return torch.stack([torch.cat([src, src]), torch.cat([(src + 1) % n, (src + 3) % n])])


def _keys(e: torch.Tensor, n: int) -> set:
    return set((e[:, 0] * n + e[:, 1]).tolist())


def test_random_link_split_sizes_disjoint_and_negatives_are_non_edges():
    n = 200
    edge_index = _ring(n)  # 400 undirected edges
    split = random_link_split(edge_index, n, generator=torch.Generator().manual_seed(0))
    sizes = {k: v["edge"].size(0) for k, v in split.items()}
    assert sizes == {"train": 280, "valid": 40, "test": 80}
    assert split["valid"]["edge_neg"].size(0) == 80 and split["test"]["edge_neg"].size(0) == 80
    parts = [_keys(split[k]["edge"], n) for k in ("train", "valid", "test")]
    assert sum(len(p) for p in parts) == len(set().union(*parts)) == 400
    edges = _keys(undirected_pairs(edge_index).t(), n)
    negs = _keys(split["valid"]["edge_neg"], n) | _keys(split["test"]["edge_neg"], n)
    assert len(negs) == 160 and not negs & edges
    assert all(e[0] < e[1] for k in split for v in split[k].values() for e in v.tolist())


def test_random_link_split_redrawn_per_seed_and_reproducible():
    n = 100
    a = random_link_split(_ring(n), n, generator=torch.Generator().manual_seed(1))
    b = random_link_split(_ring(n), n, generator=torch.Generator().manual_seed(1))
    c = random_link_split(_ring(n), n, generator=torch.Generator().manual_seed(2))
    assert torch.equal(a["test"]["edge"], b["test"]["edge"])
    assert not torch.equal(a["test"]["edge"], c["test"]["edge"])


def test_sample_non_edges_avoids_edges_and_self_loops():
    edge_index = torch.tensor([[0, 1, 2], [1, 2, 3]])
    torch.manual_seed(0)
    out = sample_non_edges(edge_index, 5, 500)
    keys = set(zip(out[0].tolist(), out[1].tolist()))
    forbidden = {(0, 1), (1, 0), (1, 2), (2, 1), (2, 3), (3, 2)} | {(i, i) for i in range(5)}
    assert out.shape == (2, 500) and not keys & forbidden
    assert len(keys) == 25 - 5 - 6  # every non-edge is reachable
    unique = sample_non_edges(edge_index, 5, 7, upper=True, unique=True)
    assert len(set(zip(unique[0].tolist(), unique[1].tolist()))) == 7
