import json
import math
from pathlib import Path

import pytest
import torch
from torch_geometric.data import Batch, Data

import graphkit
from graphkit.cli.main import main
from graphkit.models import MODELS, ModelInputs, build_model
from graphkit.models.ehgnn import DualHypergraphConv, EHGNNConfig, HyperCluster, HyperDrop
from graphkit.models.node_pool import NodePoolConfig
from torch_geometric.nn import GCNConv, HypergraphConv

from graphkit.models.ehgnn import dual_operator as dual_operator_module
from graphkit.models.ehgnn.csr_gcn import csr_gcn, fits_csr_gcn
from graphkit.models.ehgnn import ehgnn as ehgnn_module
from graphkit.transforms import AddDualIncidence
from graphkit.transforms.dual_hypergraph import incidence_with_loops


def _graph(num_nodes: int, num_edges: int, seed: int) -> Data:
    """A directed graph without repeated edges, with float node and edge features."""
    g = torch.Generator().manual_seed(seed)
    pairs = torch.randperm(num_nodes * num_nodes, generator=g)[:num_edges]
    edge_index = torch.stack([pairs // num_nodes, pairs % num_nodes])
    return Data(x=torch.randn(num_nodes, 4, generator=g), edge_index=edge_index,
                edge_attr=torch.randn(num_edges, 3, generator=g), y=torch.tensor([seed % 2]))


def _permuted(data: Data, seed: int) -> Data:
    """The same graph with its nodes relabelled and its edges listed in another order."""
    g = torch.Generator().manual_seed(seed)
    perm = torch.randperm(data.num_nodes, generator=g)
    inverse = torch.empty_like(perm)
    inverse[perm] = torch.arange(perm.numel())
    edges = torch.randperm(data.num_edges, generator=g)
    return Data(x=data.x[perm], edge_index=inverse[data.edge_index][:, edges], edge_attr=data.edge_attr[edges],
                y=data.y)


@pytest.mark.parametrize("ratio", [0.1, 0.5, 0.65, 0.9, 1.0])
def test_hyperdrop_keeps_the_requested_ratio_of_every_graphs_edges(ratio):
    torch.manual_seed(0)
    graphs = [_graph(6, 1, 0), _graph(8, 7, 1), _graph(10, 23, 2), _graph(5, 3, 3)]
    batch = Batch.from_data_list(graphs)
    drop = HyperDrop(3, ratio)
    dual = DualHypergraphConv.operator(batch.edge_index, batch.num_nodes)
    edge_batch = batch.batch[batch.edge_index[0]]
    keep, weight = drop(batch.edge_attr, dual, edge_batch)
    kept = torch.bincount(edge_batch[keep], minlength=len(graphs)).tolist()
    assert kept == [math.ceil(ratio * g.num_edges) for g in graphs]
    assert min(kept) >= 1  # a graph with an edge never loses all of them
    assert weight.shape == keep.shape and float(weight.detach().min()) >= 0.0 and float(weight.detach().max()) <= 1.0
    assert keep.unique().numel() == keep.numel()


def test_hyperdrop_model_never_leaves_a_graph_without_edges():
    torch.manual_seed(0)
    model = build_model(EHGNNConfig(name="ehgnn_hyperdrop", hidden_channels=8, num_layers=6, ratio=0.1),
                        ModelInputs(level="graph", out_channels=2, num_features=4, edge_encoder="linear",
                                    num_edge_features=3)).eval()
    seen = []
    for drop in model.drops:
        drop.register_forward_hook(lambda mod, args, out: seen.append(torch.bincount(args[2][out[0]], minlength=3)))
    model(Batch.from_data_list([_graph(6, 2, 0), _graph(9, 30, 1), _graph(4, 1, 2)]))
    assert len(seen) == 5 and all(int(counts.min()) >= 1 for counts in seen)


def _inputs() -> ModelInputs:
    return ModelInputs(level="graph", out_channels=3, num_features=4, edge_encoder="linear", num_edge_features=3)


@pytest.mark.parametrize("name", ["ehgnn_hyperdrop", "ehgnn_hypercluster"])
@pytest.mark.parametrize("local_conv", ["gcn", "gine"])
def test_ehgnn_pooled_graph_embedding_is_permutation_invariant_and_batched(name, local_conv):
    torch.manual_seed(0)
    model = build_model(EHGNNConfig(name=name, hidden_channels=16, num_layers=3, ratio=0.6, local_conv=local_conv,
                                    num_clusters=3, heads=2), _inputs()).eval()
    a, b = _graph(7, 15, 4), _graph(9, 20, 5)
    out = model.embed(Batch.from_data_list([a, b]))
    permuted = model.embed(Batch.from_data_list([_permuted(a, 0), _permuted(b, 1)]))
    torch.testing.assert_close(permuted, out, atol=1e-5, rtol=1e-4)
    torch.testing.assert_close(model.embed(Batch.from_data_list([b])), out[1:], atol=1e-5, rtol=1e-4)
    assert model(Batch.from_data_list([a, b])).shape == (2, 3)


def test_hypercluster_ignores_padding_and_empty_graphs():
    torch.manual_seed(0)
    pool = HyperCluster(8, num_clusters=2, heads=2).eval()
    edges = torch.randn(3, 8)
    dual = DualHypergraphConv.operator(torch.tensor([[0, 1, 2], [1, 2, 0]]), 3)
    alone = pool(edges, dual, torch.zeros(3, dtype=torch.long), 1)
    # the same edges as graph 1 of 3 (graph 0 and 2 have no edges): same clusters
    together = pool(edges, dual, torch.ones(3, dtype=torch.long), 3)
    torch.testing.assert_close(together[1], alone[0])
    assert torch.isfinite(together).all()


def test_ehgnn_and_node_pools_are_registered_graph_models():
    for name in ("ehgnn_hyperdrop", "ehgnn_hypercluster", "sagpool", "topkpool"):
        assert MODELS.get(name).levels == ("graph",)
    with pytest.raises(ValueError, match="local_conv"):
        EHGNNConfig(name="ehgnn_hyperdrop", local_conv="nope")
    with pytest.raises(ValueError, match="ratio"):
        EHGNNConfig(name="ehgnn_hyperdrop", ratio=0.0)


@pytest.mark.parametrize("name", ["sagpool", "topkpool"])
def test_node_pool_graph_embedding_is_batched(name):
    torch.manual_seed(0)
    model = build_model(NodePoolConfig(name=name, hidden_channels=16), _inputs()).eval()
    a, b = _graph(7, 15, 4), _graph(9, 20, 5)
    out = model(Batch.from_data_list([a, b]))
    assert out.shape == (2, 3)
    torch.testing.assert_close(model(Batch.from_data_list([b])), out[1:], atol=1e-5, rtol=1e-4)


def test_dual_hypergraph_conv_equals_pygs_hypergraph_conv():
    torch.manual_seed(0)
    loops_and_repeats = Data(x=torch.randn(3, 4), edge_index=torch.tensor([[0, 0, 1, 1, 2], [0, 1, 2, 2, 0]]),
                             edge_attr=torch.randn(5, 3), y=torch.tensor([0]))
    graph = Batch.from_data_list([_graph(7, 15, 4), _graph(5, 1, 6), loops_and_repeats, _graph(9, 20, 5)])
    x = torch.randn(graph.num_edges, 6, requires_grad=True)
    ours, reference = DualHypergraphConv(6, 4), HypergraphConv(6, 4)
    with torch.no_grad():
        reference.lin.weight.copy_(ours.weight.t())
        reference.bias.copy_(torch.randn(4))
        ours.bias.copy_(reference.bias)
    incidence, hyperedges = incidence_with_loops(graph.edge_index, graph.num_nodes)
    expected = reference(x, incidence, num_edges=hyperedges)
    out = ours(x, DualHypergraphConv.operator(graph.edge_index, graph.num_nodes))
    torch.testing.assert_close(out, expected, atol=1e-5, rtol=1e-5)
    grad, = torch.autograd.grad(out.square().sum(), x)
    expected_grad, = torch.autograd.grad(expected.square().sum(), x)
    torch.testing.assert_close(grad, expected_grad, atol=1e-5, rtol=1e-5)


def test_ehgnn_runs_on_graphs_without_edges():
    torch.manual_seed(0)
    empty = Data(x=torch.randn(3, 4), edge_index=torch.zeros(2, 0, dtype=torch.long), edge_attr=torch.zeros(0, 3))
    for name in ("ehgnn_hyperdrop", "ehgnn_hypercluster"):
        model = build_model(EHGNNConfig(name=name, hidden_channels=8, heads=2, num_clusters=2), _inputs()).eval()
        out = model(Batch.from_data_list([empty, _graph(5, 6, 1)]))
        assert out.shape == (2, 3) and torch.isfinite(out).all()


REPO = Path(__file__).resolve().parents[2]


def _train(config: str, run_dir: Path, *overrides: str) -> dict:
    args = ["train", str(REPO / config), "--run-dir", str(run_dir), "--quiet", "--threads", "1",
            "tracking.wandb.mode=disabled", *overrides]
    assert main(args) == 0
    return json.loads((run_dir / "results.json").read_text())


def test_ehgnn_hyperdrop_trains_on_mutag_reference_folds_and_reloads(mirror, tmp_path):
    run = tmp_path / "run"
    results = _train("configs/ehgnn/mutag.yaml", run, "trainer.epochs=3", "data.splits=[0]",
                     "optim.warmup_epochs=1", "model.hidden_channels=32")
    assert results["model"] == "ehgnn_hyperdrop" and results["runs"][0]["epochs_run"] == 3
    rows = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    assert rows[-1]["train_loss"] < rows[0]["train_loss"]  # it learns
    loaded = graphkit.load_run(run)
    test = loaded.dataset.splits[0]["test"]
    assert test.numel() == 18  # fold 1 of the reference files
    batch = Batch.from_data_list([loaded.dataset.graphs[int(i)] for i in test])
    accuracy = float((loaded.model(batch).argmax(-1) == batch.y).float().mean())
    assert accuracy == pytest.approx(results["test"]["accuracy"]["mean"])


@pytest.mark.slow
@pytest.mark.parametrize("config", ["configs/ehgnn/proteins.yaml", "configs/ehgnn/mutag-hypercluster.yaml",
                                    "configs/sagpool/proteins.yaml"])
def test_ehgnn_configs_train_two_epochs(mirror, tmp_path, config):
    results = _train(config, tmp_path / "run", "trainer.epochs=2", "data.splits=[0]")
    assert 0.0 < results["test"]["accuracy"]["mean"] <= 1.0


def _dense_propagation(edge_index: torch.Tensor, num_nodes: int) -> torch.Tensor:
    """P = D^-1 H B^-1 H^T [E, E] from the reference's augmented incidence, densely."""
    incidence, hyperedges = incidence_with_loops(edge_index, num_nodes)
    h = torch.zeros(edge_index.size(1), hyperedges)
    h.index_put_((incidence[0], incidence[1]), torch.ones(incidence.size(1)), accumulate=True)
    d, b = h.sum(1), h.sum(0)
    return torch.diag(1 / d) @ h @ torch.diag(torch.where(b > 0, 1 / b.clamp(min=1), 0.0)) @ h.t()


def test_dual_operator_propagates_as_the_dense_operator_forward_and_backward():
    # path 0-1-2 (e0, e1) plus a self-loop e2=(2,2): hand-computed P = D^-1 H B^-1 H^T
    edge_index = torch.tensor([[0, 1, 2], [1, 2, 2]])
    # node 0 is a singleton (dropped); node 1 joins e0, e1; node 2 joins e1 once and e2 twice
    expected = torch.tensor([[1 / 2 * (1 / 2 + 1), 1 / 2 * 1 / 2, 0.0],
                             [1 / 3 * 1 / 2, 1 / 3 * (1 / 2 + 1 / 3 + 1), 1 / 3 * 2 / 3],
                             [0.0, 1 / 3 * 2 / 3, 1 / 3 * (4 / 3 + 1)]])
    torch.testing.assert_close(_dense_propagation(edge_index, 3), expected)
    dual = DualHypergraphConv.operator(edge_index, 3)
    x = torch.randn(3, 4, requires_grad=True)
    out = dual.propagate(x)
    torch.testing.assert_close(out, expected @ x)
    grad = torch.randn(3, 4)
    torch.testing.assert_close(torch.autograd.grad(out, x, grad)[0], expected.t() @ grad)


def test_dual_operator_after_a_drop_equals_the_dual_of_the_remaining_edges():
    torch.manual_seed(0)
    batch = Batch.from_data_list([_graph(7, 15, 4), _graph(5, 3, 6), _graph(9, 20, 5)])
    dual = DualHypergraphConv.operator(batch.edge_index, batch.num_nodes)
    keep = torch.randperm(batch.num_edges)[:20].sort().values
    kept = dual.keep(keep)
    fresh = DualHypergraphConv.operator(batch.edge_index[:, keep], batch.num_nodes)
    for name in ("edge_entries", "node_entries", "edge_inv_degree", "node_inv_degree"):
        assert torch.equal(getattr(kept, name), getattr(fresh, name)), name
    x = torch.randn(20, 3)
    torch.testing.assert_close(kept.propagate(x), _dense_propagation(batch.edge_index[:, keep], batch.num_nodes) @ x)


def test_ehgnn_reads_the_cached_dual_incidences_and_gives_the_same_graphs(monkeypatch):
    torch.manual_seed(0)
    model = build_model(EHGNNConfig(name="ehgnn_hyperdrop", hidden_channels=16, ratio=0.6), _inputs()).eval()
    graphs = [_graph(7, 15, 4), _graph(9, 20, 5), _graph(5, 1, 6)]
    expected = model.embed(Batch.from_data_list(graphs))
    cached = Batch.from_data_list([AddDualIncidence()(g.clone()) for g in graphs])
    monkeypatch.setattr(dual_operator_module, "node_major_incidence",
                        lambda *a: pytest.fail("sorted the incidences of a batch that carries them"))
    torch.testing.assert_close(model.embed(cached), expected)
    stale = cached.clone()
    stale.dht_edge, stale.dht_node_index = stale.dht_edge[1:], stale.dht_node_index[1:]
    with pytest.raises(ValueError, match="cache was built for other edges"):
        model.embed(stale)


def test_segment_readout_equals_pygs_pools_with_an_empty_graph():
    torch.manual_seed(0)
    x = torch.randn(7, 3, requires_grad=True)
    batch = torch.tensor([0, 0, 0, 2, 2, 3, 3])  # graph 1 has no nodes
    sizes = torch.bincount(batch, minlength=4)
    out = ehgnn_module._readout(x, batch, 4, sizes)
    expected = ehgnn_module._readout(x, batch, 4, None)  # PyG's global max | mean | add pools
    torch.testing.assert_close(out, expected)
    assert torch.equal(out[1], torch.zeros(9))
    grad = torch.randn(4, 9)
    torch.testing.assert_close(torch.autograd.grad(out, x, grad)[0], torch.autograd.grad(expected, x, grad)[0])


@pytest.mark.parametrize("weighted", [False, True])
def test_csr_gcn_equals_pygs_gcn_conv_forward_and_backward(weighted):
    torch.manual_seed(0)
    graph = Batch.from_data_list([_graph(7, 15, 4), _graph(5, 3, 6), _graph(9, 20, 5)])
    edge_index = graph.edge_index[:, graph.edge_index[0] != graph.edge_index[1]]
    edge_index = edge_index[:, torch.randperm(edge_index.size(1))]  # neither sorted by source nor target
    conv = GCNConv(4, 6)
    torch.nn.init.normal_(conv.bias)
    x = torch.randn(graph.num_nodes, 4, requires_grad=True)
    weight = torch.rand(edge_index.size(1), requires_grad=True) if weighted else None
    assert fits_csr_gcn(conv, edge_index)
    out, expected = csr_gcn(conv, x, edge_index, weight), conv(x, edge_index, edge_weight=weight)
    torch.testing.assert_close(out, expected)
    inputs = [x, conv.lin.weight, conv.bias] + ([weight] if weighted else [])
    grad = torch.randn_like(out)
    for ours, reference in zip(torch.autograd.grad(out, inputs, grad), torch.autograd.grad(expected, inputs, grad)):
        torch.testing.assert_close(ours, reference)
    # PyG keeps an existing self-loop's weight: that graph takes PyG's path
    assert not fits_csr_gcn(conv, torch.tensor([[0, 1], [0, 2]]))
    assert not fits_csr_gcn(GCNConv(4, 6, normalize=False), edge_index)
