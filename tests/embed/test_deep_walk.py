import numpy as np
import scipy.sparse as sp
from sklearn.base import clone

from graphkit.embed import DeepWalk
from graphkit.embed.deep_walk import random_walks


def test_random_walks_follow_out_edges_and_stop_at_dead_ends():
    # 0 -> 1 -> 2 -> 0 cycle, 2 -> 3 (sink), 4 isolated.
    rows, cols = [0, 1, 2, 2], [1, 2, 0, 3]
    a = sp.csr_matrix((np.ones(4), (rows, cols)), shape=(5, 5))
    walks = random_walks(a, walk_length=6, walks_per_node=4, rng=np.random.default_rng(0))
    assert walks.shape == (20, 6)
    assert sorted(np.bincount(walks[:, 0])) == [4] * 5  # every node starts walks_per_node walks
    edges = set(zip(rows, cols))
    for walk in walks:
        steps = walk[walk >= 0]
        assert np.all(walk[len(steps):] == -1)  # once stopped, stays stopped
        assert all((int(u), int(v)) in edges for u, v in zip(steps[:-1], steps[1:]))
        if steps[-1] not in (3, 4):
            assert len(steps) == 6
    assert np.all(walks[walks[:, 0] == 4, 1:] == -1)


def test_random_walks_are_uniform_over_neighbours():
    a = sp.csr_matrix(np.array([[0, 1, 1, 1], [1, 0, 0, 0], [1, 0, 0, 0], [1, 0, 0, 0]], dtype=float))
    walks = random_walks(a, walk_length=2, walks_per_node=3000, rng=np.random.default_rng(0))
    following = walks[walks[:, 0] == 0, 1]
    np.testing.assert_allclose(np.bincount(following, minlength=4)[1:] / following.size, [1 / 3] * 3, atol=0.03)


def two_cliques() -> sp.csr_matrix:
    block = np.ones((5, 5)) - np.eye(5)
    a = np.zeros((10, 10))
    a[:5, :5] = block
    a[5:, 5:] = block
    a[4, 5] = a[5, 4] = 1
    return sp.csr_matrix(a)


def test_deepwalk_embeds_communities_apart():
    model = DeepWalk(8, walk_length=10, walks_per_node=30, window=3, epochs=20, random_state=0)
    e = model.fit_transform(two_cliques())
    assert e.shape == (10, 8) and e.dtype == np.float32 and np.isfinite(e).all()
    e = e / np.linalg.norm(e, axis=1, keepdims=True)
    similarity = e @ e.T
    within = (similarity[:4, :4].sum() - 4) / 12
    across = similarity[:4, 6:].mean()
    assert within > across + 0.2


def test_deepwalk_is_deterministic_with_one_worker_and_clones():
    model = DeepWalk(4, walk_length=5, walks_per_node=3, random_state=1)
    first = model.fit_transform(two_cliques())
    second = clone(model).fit_transform(two_cliques())
    np.testing.assert_array_equal(first, second)
