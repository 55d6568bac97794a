import json
import math

import pytest
import torch
from torch_geometric.data import Batch

from graphkit.models import build_model_for
from graphkit.models.graph_gps import GraphGPSConfig
from graphkit.models.graph_mamba import GraphMambaConfig
from graphkit.nn.mamba.neighborhood_tokenizer import NeighborhoodTokenizer
from tests.models.test_graph_gps import _dataset, _molecules


def test_neighborhood_tokenizer_walks_follow_edges_and_pool_farthest_first():
    torch.manual_seed(0)
    edge_index = torch.tensor([[0, 1, 1, 2, 2, 3], [1, 0, 2, 1, 3, 2]])  # path 0-1-2-3
    tok = NeighborhoodTokenizer(walk_length=3, num_walks=2, num_samples=2)
    walks = tok(edge_index, 4)
    assert walks.shape == (4, 2, 2, 4)
    assert torch.equal(walks[..., 0], torch.arange(4).view(4, 1, 1).expand(4, 2, 2))
    steps = torch.stack([walks[..., :-1].reshape(-1), walks[..., 1:].reshape(-1)])
    edges = {tuple(e) for e in edge_index.T.tolist()}
    assert all(tuple(s) in edges for s in steps.T.tolist())
    x = torch.arange(4.0).view(4, 1)
    tokens = tok.pool(x, walks)  # [4, m * s, 1]
    assert tokens.shape == (4, 6, 1)
    # the closest token (l = 1) of sample 0 is the mean over the M walks' first two nodes
    expected = x[walks[:, 0, :, :2].reshape(4, -1)].mean(dim=1)
    assert torch.allclose(tokens[:, 4], expected)


@pytest.mark.parametrize("walk_length,ordering", [(0, "degree"), (0, "pagerank"), (2, "degree")])
def test_graph_mamba_forward_backward(walk_length, ordering):
    torch.manual_seed(0)
    graphs = _molecules()
    cfg = GraphMambaConfig(name="graph_mamba", hidden_channels=16, num_layers=2,
                           walk_length=walk_length, ordering=ordering, state_channels=4,
                           rwse_channels=4, lap_channels=4)
    model = build_model_for(cfg, _dataset(graphs), 1)
    out = model(Batch.from_data_list(graphs))
    assert out.shape == (3, 1)
    out.sum().backward()
    assert all(p.grad is not None for p in model.layers[0].parameters() if p.requires_grad)
    model.eval()
    assert torch.isfinite(model(Batch.from_data_list(graphs))).all()


def test_gps_with_mamba_eval_averages_orderings(monkeypatch):
    from graphkit.nn.mamba.graph_sequence_mamba import GraphSequenceMamba

    torch.manual_seed(0)
    graphs = _molecules()  # rings: every node has degree 2, so only the noise orders them
    cfg = GraphGPSConfig(name="gps", hidden_channels=16, num_layers=2, global_model="mamba",
                         heads=2, rwse_channels=4, lap_channels=4, mamba_state_channels=4,
                         mamba_eval_orderings=3)
    model = build_model_for(cfg, _dataset(graphs), 1).eval()
    batch = Batch.from_data_list(graphs)
    calls = []
    one = GraphSequenceMamba._one_ordering
    monkeypatch.setattr(GraphSequenceMamba, "_one_ordering",
                        lambda self, *a: calls.append(self) or one(self, *a))
    torch.manual_seed(1)
    averaged = model(batch)
    assert averaged.shape == (3, 1) and torch.isfinite(averaged).all()
    # every layer's global branch scanned 3 orderings in evaluation, 1 in training
    assert len(calls) == 3 * cfg.num_layers and len(set(map(id, calls))) == cfg.num_layers
    calls.clear()
    model.train()
    model(batch)
    assert len(calls) == cfg.num_layers
    model.eval()
    for module in model.modules():
        if isinstance(module, GraphSequenceMamba):
            module.eval_orderings = 1
    torch.manual_seed(1)
    single = model(batch)
    assert not torch.allclose(single, averaged, atol=1e-6)  # the extra orderings changed the output


def test_graph_sequence_mamba_eval_is_the_mean_of_single_orderings():
    from graphkit.nn.mamba.graph_sequence_mamba import GraphSequenceMamba

    torch.manual_seed(0)
    graphs = _molecules()
    batch = Batch.from_data_list(graphs)
    x = torch.randn(batch.num_nodes, 8)
    branch = GraphSequenceMamba(8, state_channels=4, eval_orderings=4).eval()
    with torch.no_grad():
        torch.manual_seed(3)
        averaged = branch(x, batch.edge_index, batch.batch)
        branch.eval_orderings = 1
        torch.manual_seed(3)  # the same four noise draws, one forward each
        singles = torch.stack([branch(x, batch.edge_index, batch.batch) for _ in range(4)])
    torch.testing.assert_close(averaged, singles.mean(dim=0), rtol=1e-5, atol=1e-6)
    assert not torch.allclose(singles[0], singles[1], atol=1e-5)  # orderings really differ
    assert not torch.allclose(averaged, singles[0], atol=1e-5)


def test_mamba_input_norm_bounds_the_branch_output_under_large_tokens():
    # B and C are linear in the tokens and Δ grows with them, so without the norm a 1000x
    # larger input gives a far larger output (the validation spikes); with it the output
    # does not move
    from graphkit.nn.mamba.graph_sequence_mamba import GraphSequenceMamba

    batch = Batch.from_data_list(_molecules())
    x = torch.randn(batch.num_nodes, 8, generator=torch.Generator().manual_seed(0))
    outs = {}
    for norm in (False, True):
        torch.manual_seed(0)
        branch = GraphSequenceMamba(8, state_channels=4, eval_orderings=1, noise=0.0, input_norm=norm).eval()
        with torch.no_grad():
            outs[norm] = (branch(x, batch.edge_index, batch.batch), branch(1000 * x, batch.edge_index, batch.batch))
    small, large = outs[False]
    assert large.abs().max() > 1e6 * small.abs().max()
    small, large = outs[True]
    torch.testing.assert_close(large, small, rtol=1e-4, atol=1e-5)
    for norm in (False, True):
        cfg = GraphGPSConfig(name="gps", hidden_channels=16, num_layers=2, global_model="mamba", heads=2,
                             rwse_channels=4, lap_channels=4, mamba_state_channels=4, mamba_input_norm=norm)
        model = build_model_for(cfg, _dataset(_molecules()), 1)
        assert sum(isinstance(m, torch.nn.LayerNorm) for m in model.modules()) == (2 if norm else 0)


@pytest.mark.slow
@pytest.mark.parametrize("config,overrides", [
    ("configs/graph_mamba/mutag.yaml", ["data.splits=[0]", "model.num_layers=2"]),
    ("configs/gps/mutag.yaml", ["data.splits=[0]", "model.num_layers=2",
                                "model.global_model=mamba"]),
])
def test_graph_mamba_cli_two_epochs_on_mirror_data(mirror, tmp_path, config, overrides):
    from pathlib import Path

    from tests.models.test_graph_gps import _train_cli

    repo = Path(__file__).resolve().parents[2]
    written = _train_cli(str(repo / config), tmp_path / "run", *overrides)
    results = written["results.json"]
    assert results["dataset"] == "mutag" and results["metric"] == "accuracy" and results["splits"] == [0]
    for split in ("val", "test"):
        acc = results[split]["accuracy"]
        assert len(acc["per_seed"]) == 1 and 0.0 < acc["mean"] <= 1.0
    # MUTAG's folds have 18-19 graphs: accuracies are multiples of 1/18 or 1/19
    test_acc = results["test"]["accuracy"]["mean"]
    assert any(abs(test_acc * n - round(test_acc * n)) < 1e-6 for n in (18, 19))
    assert results["params"] > 0 and results["runs"][0]["epochs_run"] == 2
    rows = [json.loads(line) for line in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()]
    assert [r["epoch"] for r in rows] == [0, 1]
    assert all(math.isfinite(r["train_loss"]) and r["train_loss"] > 0 for r in rows)
