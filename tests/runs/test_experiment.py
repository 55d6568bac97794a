import json

import numpy as np
import pytest
import torch

from graphkit.config import RunConfig, from_dict
from graphkit.errors import ConfigError
from graphkit.runs import experiment
from graphkit.aggregate import aggregate_runs as aggregate
from graphkit.runs import run_setup
from graphkit.runs.experiment import run_experiment
from graphkit.runs.run_setup import normalize_features, resolve_device
from graphkit.trainers.run_dir import RunDir
from tests.trainers.helpers import paths_and_cycles, two_communities


def _cfg(**extra) -> RunConfig:
    data = {"data": {"name": "toy"}, "model": {"name": "gcn", "hidden_channels": 8},
            "optim": {"lr": 0.05}, "trainer": {"epochs": 4, "device": "cpu"},
            "tracking": {"wandb": {"mode": "disabled"}}, "seeds": [0, 1]}
    for key, value in extra.items():
        data[key] = {**data.get(key, {}), **value} if isinstance(value, dict) else value
    return from_dict(RunConfig, data)


def test_aggregate_mean_and_sample_std_per_metric():
    runs = [{"test": {"accuracy": a, "macro_f1": f}} for a, f in ((0.5, 0.4), (0.7, 0.6), (0.9, 0.5))]
    out = aggregate(runs, "test")
    assert out["accuracy"]["mean"] == pytest.approx(0.7)
    assert out["accuracy"]["std"] == pytest.approx(0.2)  # ddof=1: sqrt((0.04 + 0 + 0.04) / 2)
    assert out["macro_f1"]["per_seed"] == [0.4, 0.6, 0.5]
    assert aggregate(runs[:1], "test")["accuracy"] == {"mean": 0.5, "std": 0.0, "per_seed": [0.5]}


def test_run_experiment_trains_every_seed_and_aggregates(tmp_path, monkeypatch):
    monkeypatch.setattr(run_setup, "load_dataset", lambda cfg: two_communities())
    run_dir = RunDir(tmp_path)
    results = run_experiment(_cfg(), run_dir, progress=False)
    assert results["seeds"] == [0, 1] and results["metric"] == "accuracy" and results["model"] == "gcn"
    per_seed = [r["test"]["accuracy"] for r in results["runs"]]
    assert results["test"]["accuracy"]["per_seed"] == per_seed
    assert results["test"]["accuracy"]["mean"] == pytest.approx(np.mean(per_seed))
    assert results["test"]["accuracy"]["std"] == pytest.approx(np.std(per_seed, ddof=1))
    assert json.loads((tmp_path / "results.json").read_text())["test"] == results["test"]
    assert [(r["seed"], r["split"]) for r in run_dir.completed()] == [(0, 0), (1, 0)]
    assert sorted((r["seed"], r["epoch"]) for r in run_dir.read_metrics()) == [(s, e) for s in (0, 1) for e in range(4)]
    for seed in (0, 1):
        assert run_dir.best_of(seed, 0).is_file()
    # test accuracy is over the 4 test nodes: a multiple of 1/4
    assert all(abs(a * 4 - round(a * 4)) < 1e-9 for a in per_seed)


def test_run_experiment_resume_skips_finished_runs(tmp_path, monkeypatch):
    monkeypatch.setattr(run_setup, "load_dataset", lambda cfg: two_communities())
    run_dir = RunDir(tmp_path)
    first = run_experiment(_cfg(), run_dir, progress=False)
    fits = []
    original = experiment.Trainer.fit
    monkeypatch.setattr(experiment.Trainer, "fit", lambda self, *a, **k: fits.append(k) or original(self, *a, **k))
    again = run_experiment(_cfg(), run_dir, resume=True, progress=False)
    assert fits == []  # both (seed, split) runs were read back
    assert again["test"] == first["test"]


def test_run_experiment_split_out_of_range_is_config_error(tmp_path, monkeypatch):
    monkeypatch.setattr(run_setup, "load_dataset", lambda cfg: two_communities())
    with pytest.raises(ConfigError, match="split index 3 out of range"):
        run_experiment(_cfg(data={"name": "toy", "splits": [3]}), RunDir(tmp_path), progress=False)


def test_normalize_features_rows_sum_to_one_without_touching_the_input():
    dataset = two_communities()
    # bag-of-words counts, as Planetoid's (PyG's transform shifts by the minimum, here 0)
    dataset.data.x = torch.randint(0, 4, (10, 5), generator=torch.Generator().manual_seed(0)).float()
    dataset.data.x[:, 0] += 1  # no empty row
    before = dataset.data.x.clone()
    normalized = normalize_features(dataset)
    torch.testing.assert_close(normalized.data.x.sum(dim=1), torch.ones(10))
    torch.testing.assert_close(normalized.data.x, before / before.sum(dim=1, keepdim=True))
    assert torch.equal(dataset.data.x, before)
    graphs = paths_and_cycles(4)
    for g in graphs.graphs:
        g.x = torch.tensor([[0.0, 2.0, 2.0]]).repeat(g.num_nodes, 1)
    want = torch.tensor([0.0, 0.5, 0.5])
    assert all(torch.allclose(g.x, want.expand_as(g.x)) for g in normalize_features(graphs).graphs)


def test_resolve_device_names_valid_choices():
    assert resolve_device("cpu") == torch.device("cpu")
    with pytest.raises(ConfigError, match="valid: auto, cpu, cuda, cuda:N"):
        resolve_device("tpu")


def test_run_experiment_callback_stops_the_run_after_its_epoch(tmp_path, monkeypatch):
    # the hook graphkit sweep prunes through: rows and last.pt of the epoch are written first
    from graphkit.trainers.run_stopped import RunStopped

    monkeypatch.setattr(run_setup, "load_dataset", lambda cfg: two_communities())
    seen = []

    def stop_at_two(row):
        seen.append((row["seed"], row["epoch"], "val_accuracy" in row))
        if row["epoch"] == 2:
            raise RunStopped("pruned at epoch 2")

    run_dir = RunDir(tmp_path)
    with pytest.raises(RunStopped, match="pruned at epoch 2"):
        run_experiment(_cfg(), run_dir, progress=False, callbacks=(stop_at_two,))
    assert seen == [(0, 0, True), (0, 1, True), (0, 2, True)]
    assert [r["epoch"] for r in run_dir.read_metrics()] == [0, 1, 2]
    assert torch.load(run_dir.last, weights_only=False)["epoch"] == 2
    assert run_dir.read_results() is None and run_dir.completed() == []
