import pytest

from graphkit.config import DataConfig
from graphkit.datasets import load_dataset


@pytest.mark.slow
def test_cornell_has_ten_geom_gcn_splits(mirror):
    ds = load_dataset(DataConfig(name="cornell"))
    assert ds.data.num_nodes == 183 and ds.data.edge_index.size(1) == 298
    assert ds.num_features == 1703 and ds.num_classes == 5 and len(ds.splits) == 10
    assert [len(ds.splits[0][k]) for k in ("train", "valid", "test")] == [87, 59, 37]
