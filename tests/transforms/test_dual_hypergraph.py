import pytest
import torch
from torch_geometric.data import Batch, Data
from torch_geometric.utils import to_dense_adj

from graphkit.config import DataConfig, PEConfig
from graphkit.datasets import cache_dir, load_dataset
from graphkit.datasets.resolve import resolve_dataset
from graphkit.transforms import AddDualIncidence, DualHypergraph
from graphkit.transforms.dual_hypergraph import incidence_with_loops, node_major_incidence


def _dense_incidence(dual):
    """[hypernodes, hyperedges] 0/1 matrix of a dual (the transposed incidence matrix)."""
    out = torch.zeros(dual.num_nodes, dual.num_hyperedges)
    out[dual.hyperedge_index[0], dual.hyperedge_index[1]] = 1.0
    return out


def _assert_same_graph(a, b):
    assert a.num_nodes == b.num_nodes
    for key in ("edge_index", "x", "edge_attr", "y", "batch"):
        if a.get(key) is None:
            assert b.get(key) is None, key
        else:
            assert torch.equal(a[key], b[key]), key


def test_dual_hypergraph_triangle_matches_hand_written_incidence():
    # triangle 0-1-2, edges e0=(0,1), e1=(1,2), e2=(2,0)
    graph = Data(x=torch.tensor([[1.0], [2.0], [3.0]]), edge_index=torch.tensor([[0, 1, 2], [1, 2, 0]]),
                 edge_attr=torch.tensor([[10.0], [20.0], [30.0]]))
    # incidence matrix M [nodes, edges]; the dual's is M^T
    m = torch.tensor([[1.0, 0.0, 1.0],
                      [1.0, 1.0, 0.0],
                      [0.0, 1.0, 1.0]])
    dual = DualHypergraph()(graph)
    assert (dual.num_nodes, dual.num_hyperedges) == (3, 3)
    assert torch.equal(_dense_incidence(dual), m.t())
    assert torch.equal(dual.x, graph.edge_attr)  # edge features -> hypernode features
    assert torch.equal(dual.hyperedge_attr, graph.x)  # node features -> hyperedge features
    assert dual.hyperedge_index.tolist() == [[0, 0, 1, 1, 2, 2], [0, 1, 1, 2, 2, 0]]


def test_dual_hypergraph_star_matches_hand_written_incidence():
    # star: centre 0, leaves 1..4, both directions (PyG's undirected layout)
    edge_index = torch.tensor([[0, 1, 0, 2, 0, 3, 0, 4], [1, 0, 2, 0, 3, 0, 4, 0]])
    graph = Data(x=torch.arange(5.0).view(5, 1), edge_index=edge_index)
    m = torch.zeros(5, 8)
    m[0, :] = 1.0  # the centre touches every edge
    for leaf in range(1, 5):
        m[leaf, 2 * (leaf - 1)] = m[leaf, 2 * (leaf - 1) + 1] = 1.0
    dual = DualHypergraph()(graph)
    assert torch.equal(_dense_incidence(dual), m.t())
    assert dual.get("x") is None  # no edge features in, none out
    # the centre's hyperedge holds all 8 hypernodes, each leaf's holds 2
    assert torch.bincount(dual.hyperedge_index[1]).tolist() == [8, 2, 2, 2, 2]


def test_incidence_with_loops_adds_one_hyperedge_per_edge_and_drops_singletons():
    # path 0 -> 1 -> 2 (one direction): nodes 0 and 2 touch one edge once (singleton hyperedges)
    incidence, num_hyperedges = incidence_with_loops(torch.tensor([[0, 1], [1, 2]]), 3)
    assert num_hyperedges == 3 + 2
    assert sorted(map(tuple, incidence.t().tolist())) == [(0, 1), (0, 3), (1, 1), (1, 4)]


def _random_graph(seed: int, num_nodes: int, num_edges: int) -> Data:
    g = torch.Generator().manual_seed(seed)
    return Data(x=torch.randn(num_nodes, 3, generator=g),
                edge_index=torch.randint(0, num_nodes, (2, num_edges), generator=g),  # self-loops, multi-edges
                edge_attr=torch.randn(num_edges, 2, generator=g), y=torch.tensor([seed]))


@pytest.mark.parametrize("seed", range(5))
def test_dual_hypergraph_round_trip_is_exact_on_random_graphs(seed):
    transform = DualHypergraph()
    graph = _random_graph(seed, 3 + seed, 4 * seed + 1)
    dual = transform(graph)
    assert torch.equal(to_dense_adj(graph.edge_index, max_num_nodes=graph.num_nodes),
                       to_dense_adj(transform.inverse(dual).edge_index, max_num_nodes=graph.num_nodes))
    _assert_same_graph(transform.inverse(dual), graph)


def test_dual_hypergraph_of_a_batch_is_the_batch_of_the_duals():
    transform = DualHypergraph()
    graphs = [_random_graph(s, 4 + s, 3 + 2 * s) for s in range(4)]
    graphs.append(Data(x=torch.randn(2, 3), edge_index=torch.zeros(2, 0, dtype=torch.long),
                       edge_attr=torch.zeros(0, 2), y=torch.tensor([9])))  # no edges at all
    batch = Batch.from_data_list(graphs)
    dual = transform(batch)
    duals = Batch.from_data_list([transform(g) for g in graphs])
    assert torch.equal(dual.hyperedge_index, duals.hyperedge_index)
    assert torch.equal(dual.batch, duals.batch)
    assert torch.equal(dual.hyperedge_attr, duals.hyperedge_attr)
    assert dual.num_hyperedges == duals.num_hyperedges == batch.num_nodes
    back = transform.inverse(dual)
    _assert_same_graph(back, Data(x=batch.x, edge_index=batch.edge_index, edge_attr=batch.edge_attr,
                                  y=batch.y, batch=batch.batch))


@pytest.mark.slow
@pytest.mark.parametrize("name", ["mutag", "proteins", "imdb-binary", "imdb-multi", "molhiv"])
def test_dual_hypergraph_round_trip_is_exact_on_every_graph(mirror, name):
    transform = DualHypergraph()
    dataset = load_dataset(DataConfig(name=name))
    for i in range(len(dataset.graphs)):
        graph = dataset.graphs[i]
        _assert_same_graph(transform.inverse(transform(graph)), graph)


def test_dual_hypergraph_round_trip_is_exact_on_every_mutag_graph(mirror):
    transform = DualHypergraph()
    dataset = load_dataset(DataConfig(name="mutag"))
    graphs = [dataset.graphs[i] for i in range(len(dataset.graphs))]
    for graph in graphs:
        _assert_same_graph(transform.inverse(transform(graph)), graph)
    batch = Batch.from_data_list(graphs)
    back = transform.inverse(transform(batch))
    assert torch.equal(back.edge_index, batch.edge_index) and torch.equal(back.edge_attr, batch.edge_attr)


def test_node_major_incidence_of_a_path_keeps_the_shared_node_only():
    # path 0-1-2 with edges e0=(0,1), e1=(1,2): nodes 0 and 2 touch one edge (dropped)
    incidence = node_major_incidence(torch.tensor([[0, 1], [1, 2]]), 3)
    assert incidence.tolist() == [[1, 1], [0, 1]]
    # triangle with both directions: every node in 4 incidences, sorted by node, then edge
    edges = torch.tensor([[0, 1, 1, 2, 2, 0], [1, 0, 2, 1, 0, 2]])
    assert node_major_incidence(edges, 3).tolist() == [[0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2],
                                                        [0, 1, 4, 5, 0, 1, 2, 3, 2, 3, 4, 5]]


def test_dual_incidence_is_cached_with_the_dataset_and_built_once(mirror, tmp_path, monkeypatch):
    calls = []
    forward = AddDualIncidence.forward
    monkeypatch.setattr(AddDualIncidence, "forward", lambda self, data: calls.append(1) or forward(self, data))
    cfg = DataConfig(name="mutag", root=str(tmp_path), pe=PEConfig(dual_hypergraph=True))
    dataset = load_dataset(cfg)
    assert len(calls) == len(dataset.graphs)  # once per graph, when the cache is built
    for i in (0, 17, len(dataset.graphs) - 1):
        graph = dataset.graphs[i]
        expected = node_major_incidence(graph.edge_index, graph.num_nodes)
        assert torch.equal(graph.dht_node_index, expected[0]) and torch.equal(graph.dht_edge, expected[1])
    again = load_dataset(cfg)  # another run: read back, not recomputed
    assert len(calls) == len(dataset.graphs)
    assert torch.equal(again.graphs[5].dht_edge, dataset.graphs[5].dht_edge)
    # a separate cache entry: the plain dataset has no incidences, and its key differs
    plain = DataConfig(name="mutag", root=str(tmp_path))
    assert "dht_edge" not in load_dataset(plain).graphs[0]
    spec = resolve_dataset(cfg)
    assert cache_dir(spec, cfg) != cache_dir(spec, plain)
