import pytest
import torch

from graphkit.config import DataConfig
from graphkit.datasets import DATASETS, load_dataset


def test_ogb_specs_download_members_of_the_official_zips():
    ddi = DATASETS.get("ogbl-ddi").file("ogb/ogbl_ddi/raw/edge.csv.gz")
    assert ddi.url.endswith("/linkproppred/ddi.zip") and ddi.member == "ddi/raw/edge.csv.gz"
    bace = DATASETS.get("molbace").file("ogb/ogbg_molbace/split/scaffold/train.csv.gz")
    assert bace.url.endswith("/molbace.zip") and bace.member == "molbace/split/scaffold/train.csv.gz"


@pytest.mark.slow
def test_ogbl_ddi_loads_graph_and_edge_split(mirror):
    ds = load_dataset(DataConfig(name="ogbl-ddi"))
    assert ds.task == "link_prediction" and ds.metric == "hits@20" and ds.num_features == 0
    assert ds.data.num_nodes == 4267 and ds.data.edge_index.size(1) == 2 * 1067911
    split = ds.extra["edge_split"]
    assert split["train"]["edge"].shape == (1067911, 2)
    assert split["valid"]["edge"].shape == (133489, 2) and split["valid"]["edge_neg"].shape == (101882, 2)
    assert split["test"]["edge"].shape == (133489, 2) and split["test"]["edge_neg"].shape == (95599, 2)
    assert split["test"]["edge"].dtype == torch.long


@pytest.mark.slow
def test_molesol_is_regression_with_ogb_scaffold_split(mirror):
    ds = load_dataset(DataConfig(name="molesol"))
    assert ds.task == "graph_regression" and ds.metric == "rmse" and len(ds.graphs) == 1128
    assert [len(ds.splits[0][k]) for k in ("train", "valid", "test")] == [902, 113, 113]
    assert ds.graphs[0].y.dtype == torch.float and ds.graphs[0].x.shape[1] == 9
