"""AMUD on synthetic graphs built to favour each decision, and the edge counts of
``data info`` on a hand-built graph."""

import torch

from graphkit.amud import amud, edge_direction_counts


def _cyclic_graph(num_classes=4, per_class=50, out_degree=4, seed=0):
    """Every edge points from class c to class c+1: the out-neighbour's label names the
    centre's exactly, while an undirected neighbour is c-1 or c+1 with equal odds."""
    gen = torch.Generator().manual_seed(seed)
    y = torch.arange(num_classes).repeat_interleave(per_class)
    src = torch.arange(y.numel()).repeat_interleave(out_degree)
    nxt = (y[src] + 1) % num_classes
    dst = nxt * per_class + torch.randint(per_class, (src.numel(),), generator=gen)
    return torch.stack([src, dst]), y


def _homophilous_random_direction(num_classes=4, per_class=50, degree=4, seed=0):
    """Same-class edges whose direction is a coin flip: direction carries nothing."""
    gen = torch.Generator().manual_seed(seed)
    y = torch.arange(num_classes).repeat_interleave(per_class)
    src = torch.arange(y.numel()).repeat_interleave(degree)
    dst = y[src] * per_class + torch.randint(per_class, (src.numel(),), generator=gen)
    flip = torch.rand(src.numel(), generator=gen) < 0.5
    return torch.stack([torch.where(flip, dst, src), torch.where(flip, src, dst)]), y


def test_amud_picks_directed_when_direction_carries_the_label():
    edge_index, y = _cyclic_graph()
    result = amud(edge_index, y, torch.arange(y.numel()), y.numel())
    assert result.directed and result.decision == "directed"
    assert result.statistic > 0.3  # ln 2 of the 2 ln 2 nats of H(y) come from direction alone


def test_amud_picks_undirected_when_direction_is_noise():
    edge_index, y = _homophilous_random_direction()
    result = amud(edge_index, y, torch.arange(y.numel()), y.numel())
    assert not result.directed and abs(result.statistic) < result.threshold
    assert result.info_undirected > 0.5  # the edges themselves are informative


def test_amud_reads_training_labels_only():
    edge_index, y = _cyclic_graph()
    train = torch.arange(0, y.numel(), 2)
    scrambled = y.clone()
    scrambled[1::2] = torch.randint(4, (y.numel() // 2,), generator=torch.Generator().manual_seed(1))
    a = amud(edge_index, y, train, y.numel())
    b = amud(edge_index, scrambled, train, y.numel())
    assert a == b


def test_edge_direction_counts_hand_built():
    # 0->1, 1->0 (reciprocal), 1->2, 2->2 (loop), 0->1 again (duplicate)
    edge_index = torch.tensor([[0, 1, 1, 2, 0], [1, 0, 2, 2, 1]])
    counts = edge_direction_counts(edge_index, 3)
    assert counts == {"directed_edges": 3, "undirected_edges": 2, "reciprocity": 2 / 3, "self_loops": 1}
