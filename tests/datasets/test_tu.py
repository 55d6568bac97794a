import pytest
import torch
from torch_geometric.data import Data

from graphkit.config import DataConfig
from graphkit.datasets import DATASETS, load_dataset
from graphkit.datasets.tu import one_hot_degree


def test_one_hot_degree_uses_the_largest_degree_and_clips():
    star = Data(edge_index=torch.tensor([[0, 0, 0, 1, 2, 3], [1, 2, 3, 0, 0, 0]]), num_nodes=4)
    path = Data(edge_index=torch.tensor([[0, 1], [1, 0]]), num_nodes=3)  # node 2 isolated
    star, path = one_hot_degree([star, path])
    assert star.x.tolist() == [[0, 0, 0, 1], [0, 1, 0, 0], [0, 1, 0, 0], [0, 1, 0, 0]]
    assert path.x.tolist() == [[0, 1, 0, 0], [0, 1, 0, 0], [1, 0, 0, 0]]
    (clipped,) = one_hot_degree([star.clone()], max_degree=2)
    assert clipped.x[0].tolist() == [0, 0, 1]


def test_tu_specs_cover_the_mirror_zips():
    names = {"mutag", "proteins", "enzymes", "imdb-binary", "imdb-multi", "nci1", "ptc_mr",
             "aids", "cox2", "bzr", "dhfr"}
    assert names <= set(DATASETS.names())
    assert all(DATASETS.get(n).default_split == "cv10" for n in names)


@pytest.mark.slow
def test_mutag_loads_with_ten_stratified_folds(mirror):
    ds = load_dataset(DataConfig(name="mutag", splits=(9,)))
    assert len(ds.graphs) == 188 and ds.task == "graph_classification"
    assert ds.num_features == 7 and ds.num_classes == 2 and ds.num_edge_features == 4
    assert len(ds.splits) == 10
    tested = torch.cat([s["test"] for s in ds.splits]).sort().values
    assert torch.equal(tested, torch.arange(188))
    assert [len(ds.splits[0][k]) for k in ("train", "valid", "test")] == [151, 18, 19]


@pytest.mark.slow
def test_imdb_binary_gets_one_hot_degree_features(mirror):
    ds = load_dataset(DataConfig(name="imdb-binary"))
    assert len(ds.graphs) == 1000 and ds.num_features == 136  # max degree 135
    assert torch.all(ds.graphs[0].x.sum(1) == 1)
