import torch

from graphkit.sparsify.token_selection import keep_counts, per_graph_topk, straight_through_topk


def test_per_graph_topk_keeps_the_highest_scores_of_each_graph():
    score = torch.tensor([0.1, 0.9, 0.5, 0.3, 2.0, -1.0, 0.0])
    group = torch.tensor([0, 0, 0, 0, 1, 1, 1])
    keep = per_graph_topk(score, group, 0.5, 2)
    # graph 0: ceil(0.5 * 4) = 2 of 4 (0.9, 0.5); graph 1: ceil(1.5) = 2 of 3 (2.0, 0.0)
    assert keep.tolist() == [False, True, True, False, True, False, True]


def test_keep_counts_keeps_at_least_one_per_graph():
    assert keep_counts(torch.tensor([1, 3, 10]), 0.01).tolist() == [1, 1, 1]
    assert keep_counts(torch.tensor([1, 3, 10]), 1.0).tolist() == [1, 3, 10]


def test_straight_through_topk_is_hard_forward_and_passes_gradients():
    torch.manual_seed(0)
    score = torch.randn(7, requires_grad=True)
    group = torch.tensor([0, 0, 0, 1, 1, 1, 1])
    mask = straight_through_topk(score, group, 0.5, 2, training=True)
    assert set(mask.detach().tolist()) <= {0.0, 1.0} and int(mask.detach().sum()) == 4
    (mask * torch.arange(7.0)).sum().backward()
    assert score.grad.abs().sum() > 0
    assert torch.equal(straight_through_topk(score, group, 0.5, 2, training=False),
                       per_graph_topk(score, group, 0.5, 2).float())
