"""examples/custom_global_model.py: a token mixer from outside graphkit matches a dense
per-graph reference, is counted exactly by the FLOPs counter, trains inside GraphGPS on ZINC
through ``plugins:``, and sparsifies to a 0.7 FLOPs budget, then re-evaluates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from torch.utils.flop_counter import FlopCounterMode

from graphkit.cli.main import main
from graphkit.plugins import load_plugin
from graphkit.sparsify.gps_flops import count_flops
from tests.sparsify.tiny_gps import tiny_batch, tiny_gps

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "custom_global_model.py"


@pytest.fixture(scope="module", autouse=True)
def plugin():
    load_plugin(str(EXAMPLE))


def _dense_reference(mixer, x: torch.Tensor, batch: torch.Tensor) -> torch.Tensor:
    h, d = mixer.heads, mixer.channels // mixer.heads
    q, k, v = mixer.qkv(x).view(len(x), 3, h, d).unbind(1)
    q, k = F.elu(q) + 1, F.elu(k) + 1
    out = torch.empty(len(x), h, d)
    for g in batch.unique():
        m = batch == g
        for head in range(h):  # phi(q) phi(K)^T V / phi(q) phi(K)^T 1, one graph at a time
            weights = q[m, head] @ k[m, head].T
            out[m, head] = (weights @ v[m, head]) / weights.sum(-1, keepdim=True)
    return mixer.out(out.reshape(len(x), -1))


def test_linear_attention_matches_dense_reference_per_graph():
    from graphkit.nn.attention import global_model_resolver

    torch.manual_seed(0)
    mixer = global_model_resolver("linear_attention", 8, heads=2).eval()
    x, batch = torch.randn(7, 8), torch.tensor([0, 0, 0, 1, 1, 1, 1])
    assert torch.allclose(mixer(x, batch), _dense_reference(mixer, x, batch), atol=1e-5)
    # nodes of one graph never see another graph
    moved = x.clone()
    moved[3:] += 5.0
    assert torch.allclose(mixer(moved, batch)[:3], mixer(x, batch)[:3], atol=1e-6)


def test_flops_counter_counts_the_plugin_mixer_exactly():
    model, batch = tiny_gps(global_model="linear_attention").eval(), tiny_batch()
    report = count_flops(model, batch)
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        model(batch)
    assert report.dense_products == counter.get_total_flops()
    assert report.components["mixer"] > 0 and report.components["attention"] == 0


def test_unknown_global_model_lists_the_plugin_mixer():
    from graphkit.models.graph_gps import GraphGPSConfig

    with pytest.raises(ValueError, match="linear_attention"):
        GraphGPSConfig(name="gps", global_model="nope")


@pytest.mark.slow
def test_plugin_mixer_trains_in_gps_on_zinc_then_sparsifies_and_reevaluates(tmp_path, mirror):
    config = tmp_path / "gps-linear.yaml"
    config.write_text(f"plugins: [{EXAMPLE}]\n" + (REPO / "configs/gps/zinc.yaml").read_text())
    run, out = tmp_path / "dense", tmp_path / "sparse"
    assert main(["train", str(config), "model.global_model=linear_attention", "model.num_layers=3",
                 "model.hidden_channels=32", "model.rwse_channels=8", "trainer.epochs=1",
                 "optim.warmup_epochs=0", "tracking.wandb.mode=disabled", "--run-dir", str(run), "--quiet"]) == 0
    assert main(["sparsify", str(run), "--config", str(REPO / "configs/sparsify/zinc-gps-family.yaml"),
                 "--out", str(out), "sparsify.gate_epochs=1", "sparsify.fixed_epochs=1",
                 "sparsify.train_fraction=0.05", "sparsify.baselines=[]", "seeds=[0]",
                 "sparsify.latency_repeats=2", "sparsify.latency_graphs=16", "tracking.wandb.mode=disabled"]) == 0
    summary = json.loads((out / "results.json").read_text())
    learned = summary["summary"]["learned"]
    assert learned["flops_ratio"] <= 0.7 + 1e-6
    assert summary["runs"][0]["compact_max_abs_diff"] < 1e-4  # compacted == masked, the mixer rebuilt alike
    assert main(["eval", str(out)]) == 0  # the compacted run reloads through the plugin it recorded
    assert json.loads((out / "eval.json").read_text())["model"] in ("gps_compact", "gps")
