import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
import torch
from sklearn.base import clone
from torch_geometric.data import Data

from graphkit.embed import FastRP
from graphkit.errors import ConfigError

# Directed, weighted, with a sink (node 4: in-edges only) and an isolated node (5).
EDGES = [(0, 1, 1.0), (1, 0, 2.0), (1, 2, 1.0), (2, 0, 0.5), (2, 3, 3.0), (3, 2, 1.0), (3, 4, 1.0), (0, 4, 2.0)]
N = 6


def adjacency() -> sp.csr_matrix:
    rows, cols, weights = zip(*EDGES)
    return sp.csr_matrix((weights, (rows, cols)), shape=(N, N))


def dense_reference(a, r, weights, beta, l2, self_influence):
    """The algorithm written out densely: S = D^-1 A, R0 = D^beta R, N_i = S^i R0."""
    a = np.asarray(a, dtype=np.float64)
    degree = a.sum(axis=1)
    s = np.zeros_like(a)
    s[degree > 0] = a[degree > 0] / degree[degree > 0, None]
    r0 = np.where(degree > 0, degree, 1.0)[:, None] ** beta * r

    def norm(m):
        if not l2:
            return m
        lengths = np.linalg.norm(m, axis=1, keepdims=True)
        return np.divide(m, lengths, out=np.zeros_like(m), where=lengths > 0)

    out = self_influence * norm(r0)
    power = r0
    for alpha in weights:
        power = s @ power
        out = out + alpha * norm(power)
    return out


@pytest.mark.parametrize("l2", [True, False])
@pytest.mark.parametrize("dtype, tol", [("float64", 1e-12), ("float32", 1e-5)])
def test_fastrp_matches_dense_reference(l2, dtype, tol):
    r = np.random.default_rng(0).standard_normal((N, 4))
    weights, beta, self_influence = (0.5, 0.0, 1.0, 2.0), -0.7, 0.3
    model = FastRP(projection=r, iteration_weights=weights, normalization_strength=beta,
                   l2_normalize=l2, self_influence=self_influence, dtype=dtype)
    embedding = model.fit_transform(adjacency())
    expected = dense_reference(adjacency().toarray(), r, weights, beta, l2, self_influence)
    assert embedding.dtype == np.dtype(dtype)
    assert embedding.shape == (N, 4)
    np.testing.assert_allclose(embedding, expected, rtol=tol, atol=tol)


def test_fastrp_fixed_sparse_projection_matches_dense_one():
    r = sp.random(N, 5, density=0.4, random_state=1, format="csr")
    kwargs = dict(iteration_weights=(0.0, 1.0, 3.0), normalization_strength=-0.5, dtype="float64")
    from_sparse = FastRP(projection=r, **kwargs).fit_transform(adjacency())
    from_dense = FastRP(projection=r.toarray(), **kwargs).fit_transform(adjacency())
    np.testing.assert_allclose(from_sparse, from_dense, atol=1e-12)
    np.testing.assert_allclose(from_dense, dense_reference(adjacency().toarray(), r.toarray(), (0.0, 1.0, 3.0), -0.5, True, 0.0), atol=1e-12)


def test_fastrp_does_not_modify_a_fixed_projection():
    r = np.ones((N, 3))
    FastRP(projection=r, normalization_strength=-1.0, self_influence=1.0, dtype="float64").fit(adjacency())
    np.testing.assert_array_equal(r, np.ones((N, 3)))


@pytest.mark.parametrize("projection", ["very_sparse", "sparse", "gaussian"])
def test_fastrp_random_state_makes_it_deterministic(projection):
    kwargs = dict(n_components=16, projection=projection, iteration_weights=(1.0, 1.0))
    first = FastRP(random_state=3, **kwargs).fit_transform(adjacency())
    second = FastRP(random_state=3, **kwargs).fit_transform(adjacency())
    other = FastRP(random_state=4, **kwargs).fit_transform(adjacency())
    np.testing.assert_array_equal(first, second)
    assert not np.array_equal(first, other)


def test_fastrp_clone_round_trip():
    model = FastRP(32, iteration_weights=(0.0, 0.0, 1.0, 6.67), normalization_strength=-0.64,
                   projection="sparse", l2_normalize=False, self_influence=0.5, property_ratio=0.25,
                   random_state=7, dtype="float64")
    copy = clone(model)
    assert copy is not model
    assert copy.get_params() == model.get_params()
    assert not hasattr(copy, "embedding_")
    copy.set_params(n_components=8, normalization_strength=0.0)
    assert copy.get_params()["n_components"] == 8 and model.n_components == 32
    assert set(model.get_params()) == {
        "n_components", "iteration_weights", "normalization_strength", "projection", "l2_normalize",
        "self_influence", "property_ratio", "random_state", "dtype",
    }


def test_fastrp_fit_returns_self_and_init_only_stores():
    model = FastRP(n_components=-1, projection="nonsense")  # validated in fit, not here
    with pytest.raises(ConfigError, match="projection"):
        model.fit(adjacency())
    good = FastRP(8, random_state=0)
    assert good.fit(adjacency()) is good
    assert good.embedding_.shape == (N, 8)


def test_fastrp_isolated_and_sink_nodes_are_finite():
    # beta < 0 would give 0 ** beta = inf for the isolated and sink nodes.
    embedding = FastRP(16, iteration_weights=(1.0, 1.0, 1.0), normalization_strength=-0.9,
                       random_state=0).fit_transform(adjacency())
    assert np.isfinite(embedding).all()
    assert np.all(embedding[5] == 0)  # isolated: nothing reaches it, no self influence
    assert np.all(embedding[4] == 0)  # sink: no out-edges to aggregate over
    with_self = FastRP(16, normalization_strength=-0.9, self_influence=1.0, projection="gaussian",
                       random_state=0).fit_transform(adjacency())
    assert np.isfinite(with_self).all()
    np.testing.assert_allclose(np.linalg.norm(with_self[5]), 1.0, rtol=1e-5)


def test_fastrp_graph_inputs_agree():
    rows, cols, weights = map(np.array, zip(*EDGES))
    edge_index = torch.tensor(np.stack([rows, cols]))
    digraph = nx.DiGraph()
    digraph.add_nodes_from(range(N))
    digraph.add_weighted_edges_from(EDGES)
    inputs = [
        (adjacency(), {}),
        (Data(edge_index=edge_index, edge_weight=torch.tensor(weights, dtype=torch.float32), num_nodes=N), {}),
        (digraph, {}),
    ]
    model = FastRP(8, iteration_weights=(1.0, 2.0), normalization_strength=-0.3, random_state=1)
    expected = model.fit_transform(adjacency())
    for graph, kwargs in inputs:
        np.testing.assert_allclose(model.fit_transform(graph, **kwargs), expected, atol=1e-6)
    # Without weights, an edge_index is the unweighted graph.
    unweighted = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(N, N))
    np.testing.assert_allclose(model.fit_transform(edge_index, num_nodes=N), model.fit_transform(unweighted), atol=1e-6)


def test_fastrp_direction_and_weights_matter():
    model = FastRP(8, iteration_weights=(1.0,), random_state=0, dtype="float64")
    forward = model.fit_transform(adjacency())
    backward = model.fit_transform(adjacency().T.tocsr())
    unweighted = adjacency().copy()
    unweighted.data[:] = 1.0
    assert not np.allclose(forward, backward)
    assert not np.allclose(forward, model.fit_transform(unweighted))


def test_fastrp_undirected_networkx_is_symmetrized():
    graph = nx.path_graph(4)
    a = sp.csr_matrix(nx.to_scipy_sparse_array(graph))
    model = FastRP(8, iteration_weights=(1.0, 1.0), random_state=0)
    np.testing.assert_allclose(model.fit_transform(graph), model.fit_transform(a + sp.csr_matrix((4, 4))), atol=1e-6)
    assert (a != a.T).nnz == 0


def test_fastrp_property_ratio_projects_features():
    a = adjacency()
    x = np.tile(np.array([[1.0, -2.0, 0.5]]), (N, 1))  # identical features on every node
    model = FastRP(6, iteration_weights=(1.0,), property_ratio=1.0, l2_normalize=False, random_state=0)
    embedding = model.fit_transform(a, x=x)
    has_out_edges = np.asarray(a.sum(axis=1)).ravel() > 0
    # Averaging identical vectors over out-neighbours gives the same vector everywhere.
    np.testing.assert_allclose(embedding[has_out_edges], np.broadcast_to(embedding[0], (has_out_edges.sum(), 6)), atol=1e-6)
    assert np.abs(embedding[0]).sum() > 0
    half = FastRP(6, iteration_weights=(1.0,), property_ratio=0.5, random_state=0).fit_transform(Data(edge_index=torch.tensor([[0, 1], [1, 0]]), x=torch.zeros(2, 3), num_nodes=2))
    assert np.all(half[:, 3:] == 0) and np.abs(half[:, :3]).sum() > 0  # feature dims come last
    with pytest.raises(ConfigError, match="node features"):
        model.fit(a)


def test_fastrp_never_builds_a_dense_adjacency():
    # 200k nodes: a dense N x N float32 matrix would need 160 GB.
    n = 200_000
    rng = np.random.default_rng(0)
    rows, cols = rng.integers(0, n, size=(2, 100_000))
    a = sp.csr_matrix((np.ones(rows.size), (rows, cols)), shape=(n, n))
    embedding = FastRP(4, iteration_weights=(1.0, 1.0), normalization_strength=-0.5, random_state=0).fit_transform(a + a.T)
    assert embedding.shape == (n, 4) and np.isfinite(embedding).all()


@pytest.mark.parametrize(
    "params, message",
    [
        (dict(projection="dense"), "projection"),
        (dict(n_components=0), "n_components"),
        (dict(iteration_weights=()), "iteration_weights"),
        (dict(iteration_weights=(0.0, 0.0)), "would be 0"),
        (dict(iteration_weights=(1.0, float("nan"))), "iteration_weights"),
        (dict(property_ratio=1.5), "property_ratio"),
        (dict(dtype="int8"), "dtype"),
        (dict(l2_normalize="yes"), "l2_normalize"),
        (dict(projection=np.ones((3, 2))), "rows"),
    ],
)
def test_fastrp_rejects_bad_parameters(params, message):
    with pytest.raises(ConfigError, match=message):
        FastRP(**params).fit(adjacency())


def test_fastrp_rejects_negative_weights():
    a = adjacency()
    a.data[0] = -1.0
    with pytest.raises(ConfigError, match=">= 0"):
        FastRP().fit(a)


def _fit_quiet(model, graph, **kw):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit_transform(graph, **kw)


@pytest.mark.parametrize("make", [
    lambda a: a,
    lambda a: np.matrix(a),
    lambda a: torch.tensor(a),
    lambda a: torch.tensor(a, dtype=torch.float32),
    lambda a: a.tolist(),
])
@pytest.mark.parametrize("dense", [np.array([[0.0, 1.0], [0.0, 0.0]]), np.array([[0.0, 0.5], [0.5, 0.0]])])
def test_fastrp_reads_dense_two_node_adjacency_as_adjacency(make, dense):
    # a 2-row dense array used to be read as an edge_index: [[0,1],[0,0]] became another
    # graph, [[0,.5],[.5,0]] a 1-node graph
    model = FastRP(4, iteration_weights=(1.0,), projection="gaussian", random_state=0)
    want = _fit_quiet(model, sp.csr_matrix(dense))
    got = _fit_quiet(model, make(dense))
    assert got.shape == (2, 4)
    np.testing.assert_allclose(got, want, atol=1e-6)


def test_fastrp_dense_adjacency_matches_sparse_on_six_nodes():
    model = FastRP(8, random_state=0)
    np.testing.assert_allclose(_fit_quiet(model, adjacency().toarray()), _fit_quiet(model, adjacency()), atol=1e-6)


def test_fastrp_edge_index_only_when_unambiguous():
    edge_index = torch.tensor([[0, 1], [1, 0]])  # integer tensor: PyG's edge_index
    model = FastRP(4, iteration_weights=(1.0,), projection="gaussian", random_state=0)
    as_edges = _fit_quiet(model, edge_index, num_nodes=3)
    np.testing.assert_allclose(as_edges, _fit_quiet(model, sp.csr_matrix(([1.0, 1.0], ([0, 1], [1, 0])), shape=(3, 3))))
    # the same numbers as a NumPy array are an adjacency unless the caller says otherwise
    assert _fit_quiet(model, edge_index.numpy()).shape == (2, 4)
    np.testing.assert_allclose(_fit_quiet(model, edge_index.numpy(), num_nodes=3, layout="edge_index"), as_edges)
    with pytest.raises(ValueError, match="layout='edge_index'"):
        model.fit(np.array([[0, 1, 2], [1, 2, 0]]))


@pytest.mark.parametrize("graph,params,error,message", [
    ("graph.txt", {}, TypeError, "cannot read a graph"),
    (np.ones((2, 3)), {}, ValueError, "square"),
    (np.array([[0.0, -1.0], [1.0, 0.0]]), {}, ValueError, ">= 0"),
    (np.array([[0.0, np.nan], [1.0, 0.0]]), {}, ValueError, "finite"),
    (torch.tensor([[0.0, 1.5], [1.0, 0.0]]), {"layout": "edge_index"}, ValueError, "non-integer"),
    (np.ones((2, 2)), {"layout": "rows"}, ValueError, "layout"),
    (np.ones((2, 2)), {"num_nodes": 3}, ValueError, "num_nodes"),
])
def test_fastrp_bad_input_raises_what_sklearn_users_catch(graph, params, error, message):
    with pytest.raises(error, match=message):
        FastRP(4).fit(graph, **params)


def test_fastrp_bad_parameters_are_value_or_type_errors():
    with pytest.raises(ValueError, match="n_components"):
        FastRP(0).fit(adjacency())
    with pytest.raises(TypeError, match="l2_normalize"):
        FastRP(4, l2_normalize="yes").fit(adjacency())
    with pytest.raises(ConfigError):  # still a graphkit error for the CLI
        FastRP(0).fit(adjacency())


def test_fastrp_sklearn_tags():
    from sklearn.utils import get_tags

    tags = get_tags(FastRP())
    assert tags.input_tags.sparse and tags.input_tags.pairwise and tags.input_tags.positive_only
    assert not tags.target_tags.required


def test_fastrp_warns_about_all_zero_embeddings():
    with pytest.warns(UserWarning, match=r"2 of 6 nodes have an all-zero embedding \(2 have no out-edges"):
        FastRP(8, random_state=0).fit(adjacency())  # node 4 is a sink, node 5 isolated
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        FastRP(8, self_influence=1.0, random_state=0).fit(adjacency())
        FastRP(8, random_state=0).fit(adjacency() + adjacency().T + sp.eye(N))
