import torch

from graphkit.zeroshot.few_shot import linear_probe, sample_shots


def test_linear_probe_regularisation_follows_c():
    # 4 support points of class 0 on one side, 2 of class 1 on the other: a weak penalty
    # separates them, a very strong one leaves only the prior and predicts class 0 everywhere
    train = torch.tensor([[-2.0, 0], [-1.5, 0.5], [-1.0, -0.5], [-1.2, 0.1], [2.0, 0], [1.5, 0.2]])
    y = torch.tensor([0, 0, 0, 0, 1, 1])
    test = torch.tensor([[-1.0, 0.0], [1.8, 0.0]])
    assert linear_probe(train, y, test, c=10.0).tolist() == [0, 1]
    assert linear_probe(train, y, test, c=1e-4).tolist() == [0, 0]


def test_sample_shots_draws_per_class_from_the_pool_only():
    y = torch.tensor([0, 0, 0, 1, 1, 2, 2, 2, 2])
    pool = torch.tensor([0, 1, 3, 4, 5, 6, 7])
    picked = sample_shots(y, pool, 2, seed=0)
    assert set(picked.tolist()) <= set(pool.tolist())
    assert torch.bincount(y[picked], minlength=3).tolist() == [2, 2, 2]
    assert torch.equal(picked, sample_shots(y, pool, 2, seed=0))
