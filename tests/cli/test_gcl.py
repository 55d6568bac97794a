"""GRACE / GCA through `graphkit pretrain` on the mirror's Cora, probed by `graphkit eval`."""

import json

import numpy as np
import pytest
import torch

from graphkit.cli.main import main

TINY = ["model.hidden_channels=64", "model.projection_channels=64", "seeds=[0]",
        "tracking.wandb.mode=disabled", "task.probe_seeds=2"]


def _argv(config, run_dir, epochs, *extra):
    return ["pretrain", config, *TINY, f"trainer.epochs={epochs}", f"trainer.eval_every={epochs}",
            "--run-dir", str(run_dir), "--quiet", *extra]


def test_grace_pretrain_then_probe_on_cora(mirror, tmp_path):
    run = tmp_path / "grace"
    assert main(_argv("configs/gcl/grace-cora.yaml", run, 3, "task.pot.weight=0.4")) == 0
    results = json.loads((run / "results.json").read_text())
    assert results["task"] == "grace" and results["metric"] == "micro_f1"
    test = results["test"]
    # the public split's 1000 test nodes, a probe on 64-d embeddings after 3 epochs (majority class: 0.32)
    assert 0.38 < test["micro_f1"]["mean"] <= 1.0 and 0.0 < test["macro_f1"]["mean"] <= test["micro_f1"]["mean"] + 0.1
    compactness = np.load(run / "node_compactness-seed0-split0.npy")
    assert compactness.shape == (2708, 2) and np.isfinite(compactness).all()
    assert test["negative_compactness"]["mean"] == pytest.approx(float((compactness < 0).mean()))
    # the linear protocol on random 10/10/80 splits, from the saved run
    out = tmp_path / "eval.json"
    assert main(["eval", str(run), "task.probe_split=random", "--out", str(out)]) == 0
    evaluated = json.loads(out.read_text())
    assert evaluated["runs"][0]["test"]["micro_f1_std"] > 0  # two different random splits
    assert 0.38 < evaluated["test"]["micro_f1"]["mean"] <= 1.0


@pytest.mark.slow
def test_gca_pot_killed_run_resumes_to_the_uninterrupted_weights(mirror, tmp_path, monkeypatch):
    full, cut = tmp_path / "full", tmp_path / "cut"
    argv = ("configs/gcl/gca-cora.yaml", "task.pot.weight=0.3", "task.feature_mask=[0.2,0.3]")
    assert main(_argv(argv[0], full, 3, *argv[1:])) == 0
    from graphkit.tracking.wandb_tracker import WandbTracker

    real = WandbTracker.log

    def die_after_first_epoch(self, row):
        real(self, row)
        if row["epoch"] == 0:
            raise KeyboardInterrupt  # as if killed right after epoch 0's checkpoint

    monkeypatch.setattr(WandbTracker, "log", die_after_first_epoch)
    assert main(_argv(argv[0], cut, 3, *argv[1:])) == 130
    assert not (cut / "results.json").exists()
    monkeypatch.setattr(WandbTracker, "log", real)
    torch.manual_seed(99)  # a new process starts from unrelated RNG state
    assert main(["pretrain", "--resume", str(cut), "--quiet"]) == 0
    for name in ("last.pt", "best.pt"):
        a = torch.load(full / "checkpoints" / name, weights_only=True)["model"]
        b = torch.load(cut / "checkpoints" / name, weights_only=True)["model"]
        for key in a:
            assert torch.equal(a[key], b[key]), (name, key)
    ra, rb = (json.loads((d / "results.json").read_text())["test"] for d in (full, cut))
    assert ra == rb, (ra, rb)


def test_gcl_task_rejects_a_non_contrastive_model(mirror, tmp_path, capsys):
    assert main(["pretrain", "configs/gcn/cora.yaml", "task.name=grace", "task.metric=micro_f1",
                 "trainer.epochs=1", "tracking.wandb.mode=disabled", "--run-dir", str(tmp_path / "r"),
                 "--quiet"]) == 2
    assert "gcl_gcn" in capsys.readouterr().err
