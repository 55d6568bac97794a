import numpy as np

from graphkit.pretrain.gcl.linear_probe import linear_probe, probe_split


def test_probe_split_shares_and_disjointness():
    split = probe_split(100, seed=3, ratios=(0.1, 0.2))
    assert [len(split[k]) for k in ("train", "valid", "test")] == [10, 20, 70]
    assert len(np.unique(np.concatenate(list(split.values())))) == 100


def test_raw_rows_keep_the_scale_that_normalized_rows_lose():
    # the class is the length of the row, not its direction: GRACE's normalized probe cannot see
    # it, POT's raw-row probe can
    rng = np.random.default_rng(0)
    # directions in a narrow cone around the first axis: the first coordinate separates lengths
    direction = np.concatenate([np.ones((200, 1)), 0.2 * rng.normal(size=(200, 3))], axis=1)
    direction /= np.linalg.norm(direction, axis=1, keepdims=True)
    labels = np.repeat([0, 1], 100)
    embedding = direction * np.where(labels == 0, 1.0, 5.0)[:, None]
    order = rng.permutation(200)
    split = {"train": order[:120], "valid": order[120:160], "test": order[160:]}
    raw = linear_probe(embedding, labels, split, Cs=(10000.0,), normalize_rows=False)
    normalized = linear_probe(embedding, labels, split, Cs=(10000.0,))
    assert (raw["test"] == labels[split["test"]]).mean() == 1.0
    assert (normalized["test"] == labels[split["test"]]).mean() < 0.75
