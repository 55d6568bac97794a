import numpy as np
import pytest
import torch

from graphkit.config import DataConfig
from graphkit.datasets import DATASETS, load_dataset
from graphkit.datasets.fold_files import EHGNN_FOLDS, fold_files, has_fold_files
from graphkit.datasets.resolve import resolve_dataset
from graphkit.datasets.splits import fold_file_splits
from graphkit.errors import DatasetError
from graphkit.registry import Registry


def _t(values):
    return torch.tensor(values, dtype=torch.long)


def test_fold_file_splits_validate_on_the_previous_folds_test_set():
    # 6 graphs, 3 folds with test sets {0,1}, {2,3}, {4,5}
    tests = [_t([0, 1]), _t([2, 3]), _t([4, 5])]
    trains = [_t([2, 3, 4, 5]), _t([0, 1, 4, 5]), _t([0, 1, 2, 3])]
    splits = fold_file_splits(trains, tests, 6)
    assert [s["test"].tolist() for s in splits] == [[0, 1], [2, 3], [4, 5]]
    assert [s["valid"].tolist() for s in splits] == [[4, 5], [0, 1], [2, 3]]  # fold 1 validates on fold 3
    assert [s["train"].tolist() for s in splits] == [[2, 3], [4, 5], [0, 1]]


def test_fold_file_splits_reject_overlapping_or_out_of_range_folds():
    with pytest.raises(DatasetError, match="fold 1's train and test sets must partition the 4 graphs"):
        fold_file_splits([_t([0, 1, 2])], [_t([2, 3])], 4)
    with pytest.raises(DatasetError, match="fold 1 test index 7 out of range for 4 graphs"):
        fold_file_splits([_t([0, 1])], [_t([2, 7])], 4)
    with pytest.raises(DatasetError, match="2 train and 1 test folds"):
        fold_file_splits([_t([0]), _t([1])], [_t([1])], 2)


def test_reference_folds_are_offered_where_they_exist():
    for name in ("mutag", "proteins", "imdb-binary", "imdb-multi"):
        assert EHGNN_FOLDS in DATASETS.get(name).splits
        assert DATASETS.get(name).default_split == "cv10"  # the default protocol does not change
    assert EHGNN_FOLDS not in DATASETS.get("enzymes").splits
    for member in ("DD", "COLLAB"):  # not mirrored: offered wherever the graphs can be fetched
        assert has_fold_files(member) and len(fold_files(member)) == 20
        assert EHGNN_FOLDS in resolve_dataset(DataConfig(name=f"tu:{member}")).splits


def test_mutag_reference_folds_are_the_files(mirror):
    dataset = load_dataset(DataConfig(name="mutag", split=EHGNN_FOLDS, splits=tuple(range(10))))

    def read(kind, k):
        return np.loadtxt(mirror / f"ehgnn_10fold/MUTAG/10fold_idx/{kind}_idx-{k}.txt", dtype=np.int64)

    assert len(dataset.splits) == 10
    for i, split in enumerate(dataset.splits):
        assert split["test"].tolist() == read("test", i + 1).tolist()
        assert split["valid"].tolist() == read("test", 10 if i == 0 else i).tolist()
        assert set(split["train"].tolist()) == set(read("train", i + 1).tolist()) - set(split["valid"].tolist())
    tested = torch.cat([s["test"] for s in dataset.splits])
    # disjoint test folds of 18 graphs each: the reference tests 180 of the 188 graphs
    assert tested.unique().numel() == tested.numel() == 180
    # the same folds through the family loader (no curated entry in the registry)
    member = load_dataset(DataConfig(name="tu:MUTAG", split=EHGNN_FOLDS), registry=Registry("dataset"))
    for a, b in zip(member.splits, dataset.splits):
        assert all(a[k].equal(b[k]) for k in ("train", "valid", "test"))
