import pytest
import torch

from graphkit.config import DataConfig
from graphkit.datasets import DATASETS, load_dataset
from graphkit.datasets.planetoid import masks_to_splits


def test_masks_to_splits_single_and_stacked_masks():
    train = torch.tensor([True, False, False, True])
    valid = torch.tensor([False, True, False, False])
    test = torch.tensor([False, False, True, False])
    (split,) = masks_to_splits(train, valid, test)
    assert split["train"].tolist() == [0, 3] and split["valid"].tolist() == [1]
    stacked = masks_to_splits(torch.stack([train, ~train], 1), torch.stack([valid, valid], 1),
                              torch.stack([test, test], 1))
    assert len(stacked) == 2 and stacked[1]["train"].tolist() == [1, 2]


def test_pubmed_is_registered_with_public_urls():
    spec = DATASETS.get("pubmed")
    urls = {f.path: f.url for f in spec.files}
    assert urls["planetoid/ind.pubmed.allx"].endswith("/planetoid/raw/master/data/ind.pubmed.allx")
    assert len([p for p in urls if p.startswith("geom-gcn/splits/pubmed_")]) == 10


@pytest.mark.slow
def test_cora_public_split_matches_published_sizes(mirror):
    ds = load_dataset(DataConfig(name="cora"))
    assert ds.data.num_nodes == 2708 and ds.data.edge_index.size(1) == 10556
    assert ds.num_features == 1433 and ds.num_classes == 7 and ds.task == "node_classification"
    assert [len(ds.splits[0][k]) for k in ("train", "valid", "test")] == [140, 500, 1000]
    assert "train_mask" not in ds.data


@pytest.mark.slow
def test_cora_geom_gcn_has_ten_disjoint_splits(mirror):
    ds = load_dataset(DataConfig(name="cora", split="geom-gcn", splits=(9,)))
    assert len(ds.splits) == 10
    for split in ds.splits:
        parts = [set(split[k].tolist()) for k in ("train", "valid", "test")]
        assert not (parts[0] & parts[1]) and not (parts[0] & parts[2]) and not (parts[1] & parts[2])
        # Geom-GCN's Cora splits cover 2485 of the 2708 nodes, 60/20/20.
        assert [len(p) for p in parts] == [1192, 796, 497]


@pytest.mark.slow
def test_citeseer_public_split(mirror):
    ds = load_dataset(DataConfig(name="citeseer"))
    assert ds.data.num_nodes == 3327 and ds.data.edge_index.size(1) == 9104
    assert ds.num_features == 3703 and ds.num_classes == 6
    assert [len(ds.splits[0][k]) for k in ("train", "valid", "test")] == [120, 500, 1000]
