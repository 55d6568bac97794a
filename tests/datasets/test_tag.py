import json

import numpy as np
import pytest

from graphkit.config import DataConfig
from graphkit.datasets import load_dataset, load_tag_directory
from graphkit.errors import DatasetError


def _write_tag(folder, split=None):
    folder.mkdir()
    (folder / "raw_texts.json").write_text(json.dumps(["a paper", "b paper", "c paper", "d"]))
    (folder / "label_names.json").write_text(json.dumps(["x", "y"]))
    np.save(folder / "edge_index.npy", np.array([[0, 1, 1], [1, 2, 2]]))  # duplicate 1->2
    np.save(folder / "y.npy", np.array([0, 1, 1, 0]))
    if split is not None:
        (folder / "split.json").write_text(json.dumps(split))


def test_load_tag_directory_reads_texts_labels_and_split(tmp_path):
    _write_tag(tmp_path / "toy", split={"train": [0, 1], "valid": [2], "test": [3]})
    ds = load_tag_directory(tmp_path / "toy")
    assert ds.name == "tag:toy" and ds.num_features == 0 and ds.num_classes == 2
    assert ds.extra["raw_texts"][1] == "b paper" and ds.extra["label_names"] == ["x", "y"]
    assert "x" not in ds.data and ds.data.y.tolist() == [0, 1, 1, 0]
    assert sorted(zip(*ds.data.edge_index.tolist())) == [(0, 1), (1, 0), (1, 2), (2, 1)]
    assert len(ds.splits) == 1 and ds.splits[0]["train"].tolist() == [0, 1]


def test_load_tag_directory_without_split_draws_ten_random_splits(tmp_path):
    _write_tag(tmp_path / "toy")
    ds = load_tag_directory(tmp_path / "toy", name="mine")
    assert ds.name == "mine" and len(ds.splits) == 10


def test_load_tag_directory_reports_missing_files(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(DatasetError, match="missing raw_texts.json"):
        load_tag_directory(tmp_path / "empty")


@pytest.mark.slow
def test_tag_cora_has_texts_for_every_node(mirror):
    ds = load_dataset(DataConfig(name="tag:cora"))
    assert ds.data.num_nodes == 2708 and len(ds.extra["raw_texts"]) == 2708
    assert len(ds.extra["label_names"]) == 7 == ds.num_classes
    assert ds.data.edge_index.size(1) == 10556 and ds.num_features == 0
    assert ds.data.y.max().item() == 6
    assert [len(ds.splits[0][k]) for k in ("train", "valid", "test")] == [1624, 541, 543]
