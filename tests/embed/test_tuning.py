import numpy as np
import scipy.sparse as sp

from graphkit.embed import tune_fastrp


def planted_partition(n=80, seed=0):
    rng = np.random.default_rng(seed)
    labels = np.repeat([0, 1], n // 2)
    p = np.where(labels[:, None] == labels[None, :], 0.2, 0.01)
    upper = np.triu(rng.random((n, n)) < p, 1)
    return sp.csr_matrix((upper | upper.T).astype(float)), labels


def test_tune_fastrp_searches_the_papers_space():
    a, labels = planted_partition()
    y = np.eye(2)[labels]
    search = tune_fastrp(a, y, n_trials=3, n_components=16, train_ratio=0.5, n_shuffles=1, random_state=0)
    assert len(search["trials"]) == 3
    best = search["best_params"]
    assert best["iteration_weights"][:3] == [0.0, 0.0, 1.0]
    assert 1.0 <= best["iteration_weights"][3] <= 64.0
    assert -1.0 <= best["normalization_strength"] <= 0.0
    assert search["best_value"] == max(t["value"] for t in search["trials"])
    assert search["best_value"] > 0.8  # two well separated communities
