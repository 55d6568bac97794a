import numpy as np
import pytest
import scipy.io
import scipy.sparse as sp

from graphkit.config import DataConfig
from graphkit.datasets import load_dataset, read_mat_graph
from graphkit.datasets.mat_graph import mat_graph_to_data
from graphkit.errors import DatasetError


def test_read_mat_graph_returns_csr_adjacency_and_labels(tmp_path):
    network = sp.csc_matrix(np.array([[0, 1, 0], [1, 0, 2], [0, 2, 0]], dtype=float))
    group = np.array([[1, 0], [0, 1], [1, 1]])
    scipy.io.savemat(tmp_path / "g.mat", {"network": network, "group": group})
    adjacency, labels = read_mat_graph(tmp_path / "g.mat")
    assert sp.isspmatrix_csr(adjacency) and sp.isspmatrix_csr(labels)
    assert (adjacency != network).nnz == 0 and labels.toarray().tolist() == group.tolist()
    data = mat_graph_to_data(adjacency, labels)
    assert sorted(zip(*data.edge_index.tolist())) == [(0, 1), (1, 0), (1, 2), (2, 1)]
    assert data.edge_weight.tolist() == [1.0, 1.0, 2.0, 2.0]  # row-major, weights kept
    assert data.y.dtype.is_floating_point and data.y.tolist() == group.tolist()


def test_read_mat_graph_missing_variable_names_it(tmp_path):
    scipy.io.savemat(tmp_path / "g.mat", {"network": sp.eye(2).tocsc()})
    with pytest.raises(DatasetError, match="no variable 'group'"):
        read_mat_graph(tmp_path / "g.mat")


def test_read_mat_graph_missing_file(tmp_path):
    with pytest.raises(DatasetError, match="not found"):
        read_mat_graph(tmp_path / "absent.mat")


@pytest.mark.slow
def test_blogcatalog_loads_as_multilabel_graph(mirror):
    ds = load_dataset(DataConfig(name="blogcatalog"))
    assert ds.task == "node_multilabel" and ds.metric == "micro_f1"
    assert ds.data.num_nodes == 10312 and ds.data.edge_index.size(1) == 667966
    assert ds.data.y.shape == (10312, 39) and ds.data.y.sum() == 14476
    assert "edge_weight" not in ds.data
