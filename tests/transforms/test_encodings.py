import networkx as nx
import numpy as np
import torch
from torch_geometric.data import Data
from torch_geometric.transforms import AddRandomWalkPE
from torch_geometric.utils import from_networkx

from graphkit.transforms import AddLaplacianPE, add_encodings
from graphkit.transforms.encodings import laplacian_pe_dense, random_walk_se_dense


def _graphs() -> list[Data]:
    graphs = [from_networkx(nx.cycle_graph(5)), from_networkx(nx.path_graph(5)),
              from_networkx(nx.star_graph(3)), from_networkx(nx.path_graph(2)),
              from_networkx(nx.petersen_graph())]
    lonely = Data(edge_index=torch.tensor([[0, 1], [1, 0]]), num_nodes=3)  # node 2 isolated
    return graphs + [lonely]


def test_add_encodings_matches_per_graph_transforms():
    graphs = _graphs()
    out = add_encodings(graphs, lap_dim=3, rwse_steps=4)
    for graph, encoded in zip(graphs, out):
        lap = AddLaplacianPE(3)(graph.clone())
        rw = AddRandomWalkPE(walk_length=4, attr_name="rwse")(graph.clone())
        # small graphs carry NaN padding: equal where both are NaN
        torch.testing.assert_close(encoded.lap_pe, lap.lap_pe, atol=1e-6, rtol=0, equal_nan=True)
        torch.testing.assert_close(encoded.lap_eigval, lap.lap_eigval, atol=1e-6, rtol=0,
                                   equal_nan=True)
        torch.testing.assert_close(encoded.rwse, rw.rwse, atol=1e-6, rtol=0)
    assert "rwse" not in graphs[0]  # inputs are not modified


def test_add_encodings_large_graphs_use_the_sparse_path():
    graphs = [from_networkx(nx.connected_watts_strogatz_graph(40, 4, 0.2, seed=0)),
              from_networkx(nx.cycle_graph(6))]
    out = add_encodings(graphs, lap_dim=2, rwse_steps=3, dense_max_nodes=10)
    reference = AddLaplacianPE(2, dense_max_nodes=1000)(graphs[0].clone())
    torch.testing.assert_close(out[0].lap_eigval, reference.lap_eigval, atol=1e-4, rtol=0)
    assert out[0].rwse.shape == (40, 3) and out[1].lap_pe.shape == (6, 2)


def test_laplacian_pe_dense_eigen_equation_in_a_batch():
    a = nx.to_numpy_array(nx.cycle_graph(4))
    b = nx.to_numpy_array(nx.path_graph(4))
    vectors, values = laplacian_pe_dense(torch.tensor(np.stack([a, b])), k=5)
    assert vectors.shape == (2, 4, 5) and values.shape == (2, 5)
    assert vectors[:, :, 3:].isnan().all() and values[:, 3:].isnan().all()  # N - 1 = 3 exist
    assert torch.isfinite(vectors[:, :, :3]).all()
    # cycle C4: normalized Laplacian eigenvalues 0, 1, 1, 2
    torch.testing.assert_close(values[0, :3], torch.tensor([1.0, 1.0, 2.0]), atol=1e-6, rtol=0)
    for adj, vec, val in zip((a, b), vectors, values):
        lap = np.eye(4) - adj / np.sqrt(np.outer(adj.sum(1), adj.sum(1)))
        v = vec[:, :3].double().numpy()
        np.testing.assert_allclose(lap @ v, v * val[:3].double().numpy(), atol=1e-6)


def test_random_walk_se_dense_equals_matrix_power_diagonals():
    walk = torch.tensor([[[0.0, 1.0, 0.0], [0.5, 0.0, 0.5], [0.0, 1.0, 0.0]]])
    out = random_walk_se_dense(walk, 3)
    assert out.shape == (1, 3, 3)
    expected = [torch.diagonal(torch.linalg.matrix_power(walk[0], t)) for t in (1, 2, 3)]
    torch.testing.assert_close(out[0], torch.stack(expected, dim=-1))
    assert out[0, 0].tolist() == [0.0, 0.5, 0.0]
