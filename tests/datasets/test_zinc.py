import pytest
import torch

from graphkit.config import DataConfig
from graphkit.datasets import load_dataset


@pytest.mark.slow
def test_zinc_builds_12k_graphs_with_benchmark_split(mirror):
    ds = load_dataset(DataConfig(name="zinc"))
    assert len(ds.graphs) == 12000 and ds.task == "graph_regression" and ds.metric == "mae"
    assert [len(ds.splits[0][k]) for k in ("train", "valid", "test")] == [10000, 1000, 1000]
    assert ds.node_encoder == "embedding" and ds.num_node_types == 28
    assert ds.edge_encoder == "embedding" and ds.num_edge_types == 4
    x, edge_attr = ds.graphs._data.x, ds.graphs._data.edge_attr
    assert int(x.min()) >= 0 and int(x.max()) < 28
    assert set(edge_attr.unique().tolist()) == {1, 2, 3}
    first = ds.graphs[0]  # O=C(NC(=S)Nc1ccc(NC(=O)c2ccccc2)cc1)c1ccc(Cl)cc1, score 3.0198
    assert first.num_nodes == 28 and first.y.item() == pytest.approx(3.019768801)
    assert torch.equal(ds.splits[0]["test"], torch.arange(11000, 12000))
