import json
from pathlib import Path

import pytest
import torch
from torch_geometric.data import Batch, Data

from graphkit.cli.main import main
from graphkit.config.run_config import DataConfig, PEConfig
from graphkit.datasets import load_dataset
from graphkit.models import build_model_for
from graphkit.models.gsm import GSMConfig
from graphkit.transforms.hac_tokenization import AddHACTokenization
from tests.models.test_graph_gps import _dataset, _molecules, _train_cli

REPO = Path(__file__).resolve().parents[2]


def _model(graphs, **kw):
    cfg = GSMConfig(name="gsm", hidden_channels=16, num_layers=2, heads=2, state_channels=4,
                    rwse_channels=4, lap_channels=4, **kw)
    return build_model_for(cfg, _dataset(graphs), 2)


def test_gsm_config_rejects_unknown_tokenization_and_top_k():
    with pytest.raises(ValueError, match="tokenizations"):
        GSMConfig(name="gsm", tokenizations=("hac", "bfs"))
    with pytest.raises(ValueError, match="top_k"):
        GSMConfig(name="gsm", tokenizations=("degree",), top_k=2)


def test_gsm_forward_backward_and_learns_on_toy_batch():
    torch.manual_seed(0)
    graphs = _molecules()
    model = _model(graphs)
    batch = Batch.from_data_list(graphs)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    target = torch.randn(3, 2)
    losses = []
    for _ in range(30):
        loss = torch.nn.functional.mse_loss(model(batch), target)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]


def test_gsm_eval_average_over_orderings_changes_only_when_orderings_differ():
    torch.manual_seed(0)
    graphs = _molecules()
    model = _model(graphs).eval()
    batch = Batch.from_data_list(graphs)
    r1, r2 = model.orderings(batch), model.orderings(batch)
    assert not torch.equal(r1, r2)  # noisy degree orderings differ between draws
    one = model(batch, orderings=[r1])
    torch.testing.assert_close(model(batch, orderings=[r1, r1, r1]), one)
    two = model(batch, orderings=[r1, r2])
    assert not torch.allclose(two, one, atol=1e-6)
    torch.testing.assert_close(two, (one + model(batch, orderings=[r2])) / 2)


def test_gsm_graph_output_invariant_to_node_order_over_the_same_orderings():
    torch.manual_seed(0)
    hac = AddHACTokenization(levels=2, seed=0)
    graphs = [hac(g) for g in _molecules()]
    model = _model(graphs, degree_noise=0.0).eval()
    out = model(Batch.from_data_list(graphs))
    g = graphs[2]
    perm = torch.randperm(g.num_nodes)
    inverse = torch.empty_like(perm)
    inverse[perm] = torch.arange(perm.numel())
    permuted = Data(x=g.x[perm], edge_index=inverse[g.edge_index], edge_attr=g.edge_attr,
                    rwse=g.rwse[perm], lap_pe=g.lap_pe[perm], hac_rank=g.hac_rank[perm], y=g.y)
    out_p = model(Batch.from_data_list([graphs[0], graphs[1], permuted]))
    torch.testing.assert_close(out_p, out, rtol=1e-4, atol=1e-5)


def test_gsm_refuses_data_with_fewer_hac_levels():
    hac = AddHACTokenization(levels=1, seed=0)
    graphs = [hac(g) for g in _molecules()]
    model = _model(graphs, hac_levels=2)
    with pytest.raises(ValueError, match="hac_levels"):
        model(Batch.from_data_list(graphs))


@pytest.mark.slow
def test_gsm_cli_two_epochs_on_mutag_and_eval_reproduces_results(mirror, tmp_path, capsys):
    run = tmp_path / "run"
    written = _train_cli(str(REPO / "configs/gsm/mutag.yaml"), run, "data.splits=[0]",
                         "model.num_layers=2", "model.hidden_channels=32")
    results = written["results.json"]
    assert results["dataset"] == "mutag" and results["runs"][0]["epochs_run"] == 2
    assert 0.0 < results["test"]["accuracy"]["mean"] <= 1.0
    rows = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    assert [r["epoch"] for r in rows] == [0, 1] and all(r["train_loss"] > 0 for r in rows)
    assert main(["eval", str(run), "--threads", "1"]) == 0
    evaluated = json.loads((run / "eval.json").read_text())
    assert evaluated["test"] == results["test"] and evaluated["val"] == results["val"]
    # data.pe.hac_levels cached the tokenization with the dataset
    graph = load_dataset(DataConfig(name="mutag", pe=PEConfig(rwse_steps=16, hac_levels=2))).graphs[0]
    assert graph.hac_rank.shape == (graph.num_nodes, 2)
    assert torch.equal(graph.hac_rank.sort(0).values, torch.arange(graph.num_nodes).repeat(2, 1).t())
