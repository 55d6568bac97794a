import networkx as nx
import numpy as np
import pytest
import torch
from torch_geometric.data import Data
from torch_geometric.utils import to_undirected

from graphkit.transforms import AddLaplacianPE, build_pe_transform


def _graph(edges: list[tuple[int, int]], num_nodes: int) -> Data:
    edge_index = to_undirected(torch.tensor(edges).t(), num_nodes=num_nodes)
    return Data(edge_index=edge_index, num_nodes=num_nodes)


def _sym_laplacian(data: Data) -> np.ndarray:
    adj = np.zeros((data.num_nodes, data.num_nodes))
    adj[data.edge_index[0].numpy(), data.edge_index[1].numpy()] = 1.0
    deg = adj.sum(1)
    inv_sqrt = np.where(deg > 0, 1.0 / np.sqrt(np.maximum(deg, 1e-12)), 0.0)
    return np.eye(len(adj)) - inv_sqrt[:, None] * adj * inv_sqrt[None, :]


def test_lap_pe_columns_are_orthonormal_eigenvectors():
    # 7-node graph: a 5-cycle with a pendant path, so eigenvalues are distinct-ish.
    data = _graph([(0, 1), (1, 2), (2, 3), (3, 4), (4, 0), (2, 5), (5, 6)], 7)
    out = AddLaplacianPE(k=4)(data.clone())
    pe, eigval = out.lap_pe.double().numpy(), out.lap_eigval.double().numpy()
    assert pe.shape == (7, 4) and out.lap_pe.dtype == torch.float32
    np.testing.assert_allclose(pe.T @ pe, np.eye(4), atol=1e-5)
    lap = _sym_laplacian(data)
    np.testing.assert_allclose(lap @ pe, pe * eigval[0], atol=1e-5)
    # The k smallest after the trivial one, ascending, same on every node.
    expected = np.sort(np.linalg.eigvalsh(lap))[1:5]
    np.testing.assert_allclose(eigval[0], expected, atol=1e-5)
    assert np.allclose(eigval, eigval[0])


def test_lap_pe_small_graph_is_nan_padded():
    out = AddLaplacianPE(k=5)(_graph([(0, 1), (1, 2)], 3))
    assert out.lap_pe.shape == (3, 5)
    assert out.lap_pe[:, 2:].isnan().all() and out.lap_eigval[:, 2:].isnan().all()
    assert torch.isfinite(out.lap_pe[:, :2]).all() and torch.isfinite(out.lap_eigval[:, :2]).all()
    assert torch.all(out.lap_pe[:, :2].abs().sum(0) > 0)


def test_lap_pe_single_node_graph():
    out = AddLaplacianPE(k=3)(Data(edge_index=torch.empty(2, 0, dtype=torch.long), num_nodes=1))
    assert out.lap_pe.shape == (1, 3) and out.lap_pe.isnan().all()


def test_lap_pe_isolated_node_and_components_stay_finite():
    # Two triangles plus an isolated node 6: L has eigenvalue 0 twice and 1 for node 6.
    data = _graph([(0, 1), (1, 2), (2, 0), (3, 4), (4, 5), (5, 3)], 7)
    out = AddLaplacianPE(k=3)(data)
    assert torch.isfinite(out.lap_pe).all()
    pe = out.lap_pe.double().numpy()
    np.testing.assert_allclose(_sym_laplacian(data) @ pe, pe * out.lap_eigval[0].double().numpy(),
                               atol=1e-5)
    assert out.lap_eigval[0, 0] == pytest.approx(0.0, abs=1e-6)  # second component


def test_lap_pe_signs_are_deterministic():
    data = _graph([(0, 1), (1, 2), (2, 3), (3, 0), (0, 2)], 4)
    first, second = AddLaplacianPE(k=2)(data.clone()), AddLaplacianPE(k=2)(data.clone())
    assert torch.equal(first.lap_pe, second.lap_pe)
    magnitude = first.lap_pe.abs()
    pivot = (magnitude >= magnitude.max(0).values - 1e-5).float().argmax(0)  # first of the largest
    assert torch.all(first.lap_pe[pivot, torch.arange(2)] > 0)


def test_lap_pe_sparse_path_matches_dense_path():
    graph = nx.connected_watts_strogatz_graph(60, 4, 0.3, seed=1)
    data = _graph(list(graph.edges()), 60)
    dense = AddLaplacianPE(k=3, dense_max_nodes=1000)(data.clone())
    sparse = AddLaplacianPE(k=3, dense_max_nodes=10)(data.clone())
    torch.testing.assert_close(sparse.lap_eigval, dense.lap_eigval, atol=1e-4, rtol=0)
    torch.testing.assert_close(sparse.lap_pe, dense.lap_pe, atol=1e-3, rtol=0)


def test_lap_pe_sparse_path_converges_with_repeated_zero_eigenvalues():
    # Three components -> eigenvalue 0 three times; plain Lanczos ("SA") fails on this.
    parts = [nx.connected_watts_strogatz_graph(30, 4, 0.3, seed=s) for s in range(3)]
    data = _graph(list(nx.disjoint_union_all(parts).edges()), 90)
    out = AddLaplacianPE(k=4, dense_max_nodes=10)(data)
    pe, eigval = out.lap_pe.double().numpy(), out.lap_eigval[0].double().numpy()
    lap = _sym_laplacian(data)
    np.testing.assert_allclose(eigval, np.sort(np.linalg.eigvalsh(lap))[1:5], atol=1e-6)
    np.testing.assert_allclose(lap @ pe, pe * eigval, atol=1e-5)
    np.testing.assert_allclose(pe.T @ pe, np.eye(4), atol=1e-5)


def test_rwse_equals_dense_random_walk_return_probabilities():
    # Triangle with a tail and an isolated node (row of zeros in the walk matrix).
    data = _graph([(0, 1), (1, 2), (2, 0), (2, 3), (3, 4)], 6)
    out = build_pe_transform(rwse_steps=4)(data.clone())
    adj = np.zeros((6, 6))
    adj[data.edge_index[0].numpy(), data.edge_index[1].numpy()] = 1.0
    walk = adj / np.maximum(adj.sum(1, keepdims=True), 1)
    expected = np.stack([np.diag(np.linalg.matrix_power(walk, k)) for k in range(1, 5)], 1)
    assert out.rwse.shape == (6, 4)
    np.testing.assert_allclose(out.rwse.numpy(), expected, atol=1e-6)
    # Two steps from node 0: via node 1 (degree 2) 1/2 * 1/2, via node 2 (degree 3) 1/2 * 1/3.
    assert out.rwse[0, 1].item() == pytest.approx(5 / 12)
    assert torch.all(out.rwse[5] == 0)  # isolated node never returns


def test_build_pe_transform_none_when_off_and_both_when_on():
    assert build_pe_transform(0, 0) is None
    out = build_pe_transform(2, 3)(_graph([(0, 1), (1, 2), (2, 3)], 4))
    assert out.lap_pe.shape == (4, 2) and out.rwse.shape == (4, 3)


def test_lap_pe_sparse_path_with_more_components_than_eigenvectors():
    # 40 components: eigenvalue 0 forty times and k + 1 = 5 vectors asked from inside
    # that eigenspace (Cora's situation: 78 components, k = 8). The answer is the
    # normalised D^{1/2} indicators of the 2nd..5th largest components, every time.
    sizes = [3] * 20 + [4] * 20
    parts = [nx.path_graph(n) for n in sizes]
    data = _graph(list(nx.disjoint_union_all(parts).edges()), sum(sizes))
    transform = AddLaplacianPE(k=4, dense_max_nodes=10)
    out = transform(data.clone())
    pe, eigval = out.lap_pe.double().numpy(), out.lap_eigval[0].double().numpy()
    lap = _sym_laplacian(data)
    np.testing.assert_allclose(eigval, np.zeros(4), atol=1e-6)
    np.testing.assert_allclose(lap @ pe, pe * eigval, atol=1e-5)
    np.testing.assert_allclose(pe.T @ pe, np.eye(4), atol=1e-5)
    # the 4-node paths come after the 3-node ones; largest first, ties by first node:
    # the first 4-path (nodes 60..63) is the dropped "first" vector, then 64..67, ...
    expected = np.sqrt([1.0, 2.0, 2.0, 1.0]) / np.sqrt(6.0)
    np.testing.assert_allclose(pe[64:68, 0], expected, atol=1e-6)
    np.testing.assert_allclose(pe[76:80, 3], expected, atol=1e-6)
    assert torch.equal(transform(data.clone()).lap_pe, out.lap_pe)


def test_lap_pe_sparse_path_falls_back_to_dense_when_lanczos_fails(monkeypatch):
    import scipy.sparse.linalg

    parts = [nx.connected_watts_strogatz_graph(30, 4, 0.3, seed=s) for s in range(3)]
    data = _graph(list(nx.disjoint_union_all(parts).edges()), 90)
    calls = []

    def never_converges(*args, **kwargs):
        calls.append(kwargs.get("ncv"))
        raise scipy.sparse.linalg.ArpackNoConvergence("no", np.zeros(0), np.zeros((90, 0)))

    monkeypatch.setattr(scipy.sparse.linalg, "eigsh", never_converges)
    out = AddLaplacianPE(k=4, dense_max_nodes=10)(data)
    assert calls == [None, 64]  # ARPACK's default Krylov space, then a wider one
    pe, eigval = out.lap_pe.double().numpy(), out.lap_eigval[0].double().numpy()
    lap = _sym_laplacian(data)
    np.testing.assert_allclose(eigval, np.sort(np.linalg.eigvalsh(lap))[1:5], atol=1e-6)
    np.testing.assert_allclose(lap @ pe, pe * eigval, atol=1e-5)
