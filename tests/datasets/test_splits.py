import torch

from graphkit.datasets.splits import random_splits, scaffold_split, stratified_kfold_splits


def test_stratified_kfold_folds_are_disjoint_and_cover_everything():
    labels = [0] * 30 + [1] * 20 + [2] * 10
    splits = stratified_kfold_splits(labels, num_folds=10)
    assert len(splits) == 10
    tests = torch.cat([s["test"] for s in splits])
    assert sorted(tests.tolist()) == list(range(60))  # every graph tested exactly once
    for i, split in enumerate(splits):
        parts = [set(split[k].tolist()) for k in ("train", "valid", "test")]
        assert not (parts[0] & parts[1] or parts[0] & parts[2] or parts[1] & parts[2])
        assert set().union(*parts) == set(range(60))
        # validation fold of split i is the test fold of split i - 1 (PyG kernel protocol)
        assert torch.equal(split["valid"], splits[i - 1]["test"])


def test_stratified_kfold_keeps_class_proportions():
    labels = torch.tensor([0] * 30 + [1] * 20 + [2] * 10)
    for split in stratified_kfold_splits(labels.tolist(), num_folds=10):
        counts = torch.bincount(labels[split["test"]], minlength=3).tolist()
        assert counts == [3, 2, 1]


def test_stratified_kfold_is_deterministic_and_seeded():
    labels = [0, 1] * 25
    first, second = stratified_kfold_splits(labels), stratified_kfold_splits(labels)
    assert all(torch.equal(a["test"], b["test"]) for a, b in zip(first, second))
    other = stratified_kfold_splits(labels, seed=1)
    assert any(not torch.equal(a["test"], b["test"]) for a, b in zip(first, other))


# Scaffolds: benzene ring (c1ccccc1), pyridine, cyclohexane, acyclic ("" scaffold).
SMILES = [
    "Cc1ccccc1", "Oc1ccccc1", "Nc1ccccc1", "CCc1ccccc1", "Clc1ccccc1",  # benzene x5
    "Cc1ccncc1", "Oc1ccncc1",  # pyridine x2
    "CC1CCCCC1",  # cyclohexane x1
    "CCO", "CCN",  # acyclic x2
]


def test_scaffold_split_groups_by_scaffold_largest_first():
    split = scaffold_split(SMILES, frac_train=0.5, frac_valid=0.2)
    # Groups by (size, first index), descending: benzene (5, 0), acyclic (2, 8),
    # pyridine (2, 5), cyclohexane (1, 7). Train takes 5, valid up to 7 in total.
    assert split["train"].tolist() == [0, 1, 2, 3, 4]
    assert split["valid"].tolist() == [8, 9]
    assert split["test"].tolist() == [5, 6, 7]


def test_scaffold_split_is_deterministic_disjoint_and_complete():
    first, second = scaffold_split(SMILES), scaffold_split(SMILES)
    assert all(torch.equal(first[k], second[k]) for k in first)
    parts = [set(first[k].tolist()) for k in ("train", "valid", "test")]
    assert sum(len(p) for p in parts) == len(SMILES) == len(set().union(*parts))


def test_random_splits_partition_and_depend_on_seed():
    splits = random_splits(20, num_splits=3)
    for split in splits:
        assert [len(split[k]) for k in ("train", "valid", "test")] == [12, 4, 4]
        assert sorted(torch.cat(list(split.values())).tolist()) == list(range(20))
    assert not torch.equal(splits[0]["train"], splits[1]["train"])
    assert torch.equal(random_splits(20, num_splits=1)[0]["train"], splits[0]["train"])
