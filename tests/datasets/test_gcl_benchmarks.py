import pytest

from graphkit.config import DataConfig
from graphkit.datasets import DATASETS, load_dataset


def test_gcl_benchmark_datasets_registered_with_mirror_paths_and_downloads():
    amazon = DATASETS.get("amazon_computers")
    assert [f.path for f in amazon.files] == ["gnn_benchmark/amazon_electronics_computers.npz"]
    assert amazon.files[0].url.endswith("/amazon_electronics_computers.npz")
    blog = DATASETS.get("blogcatalog_attr")
    assert sorted(f.member for f in blog.files) == [
        "blogcatalog.attr/attrs.npz", "blogcatalog.attr/edgelist.txt", "blogcatalog.attr/labels.txt"]
    assert all(f.url is not None and f.sha256 for f in blog.files)


@pytest.mark.slow
@pytest.mark.parametrize("name,nodes,features,classes", [("blogcatalog_attr", 5196, 8189, 6),
                                                          ("amazon_computers", 13752, 767, 10)])
def test_gcl_benchmark_dataset_loads_from_the_mirror(mirror, name, nodes, features, classes):
    dataset = load_dataset(DataConfig(name=name))
    data = dataset.data
    assert (data.num_nodes, dataset.num_features, dataset.num_classes) == (nodes, features, classes)
    assert data.is_undirected() and data.y.dim() == 1
