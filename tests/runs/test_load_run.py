"""Trained runs reload as artifacts: load_run/load_model give the trained model back bit for bit."""

import json
from pathlib import Path

import pytest
import torch

import graphkit
from graphkit.cli.main import main
from graphkit.runs import CheckpointError
from graphkit.trainers import checkpoint as ckpt

REPO = Path(__file__).resolve().parents[2]
FAST = ["tracking.wandb.mode=disabled", "--quiet", "--threads", "1", "trainer.epochs=2", "seeds=[0]"]
# one config per model family, shrunk to seconds
FAMILIES = {
    "mpnn": ("gcn/cora.yaml", []),
    "gps": ("gps/mutag.yaml", ["model.num_layers=2", "model.hidden_channels=32", "data.splits=[0]"]),
    "graph_mamba": ("graph_mamba/mutag.yaml", ["model.num_layers=2", "model.hidden_channels=32",
                                               "data.splits=[0]"]),
    "gsm": ("gsm/mutag.yaml", ["model.num_layers=2", "model.hidden_channels=32", "data.splits=[0]"]),
    "ncn": ("ncn/cora.yaml", ["model.hidden_channels=32"]),
    "gae": ("gae/cora.yaml", ["model.hidden_channels=32"]),
}


def _predictions(model, task, seed):
    ckpt.seed_everything(seed)  # models that draw at evaluation (random-walk tokens) draw alike
    with torch.no_grad():
        model.eval()
        return [task.eval_step(model, batch)[0] for batch in task.eval_batches("test")]


def _train(monkeypatch, tmp_path, family):
    """Trains a family's config for 2 epochs and returns (run dir, the in-memory model)."""
    import graphkit.runs.experiment as experiment

    built = []
    real_build = experiment.build_model

    def recording_build(cfg, inputs):
        built.append(real_build(cfg, inputs))
        return built[-1]

    monkeypatch.setattr(experiment, "build_model", recording_build)
    config, extra = FAMILIES[family]
    run = tmp_path / family
    assert main(["train", str(REPO / "configs" / config), "--run-dir", str(run), *FAST, *extra]) == 0
    monkeypatch.setattr(experiment, "build_model", real_build)
    return run, built[-1]  # after fit it holds the best-validation weights


@pytest.mark.slow
@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_load_run_gives_back_the_trained_model_bit_for_bit(mirror, tmp_path, monkeypatch, family):
    run, trained = _train(monkeypatch, tmp_path, family)
    loaded = graphkit.load_run(run)
    assert loaded.seed == 0 and loaded.checkpoint.name == "best-seed0-split0.pt"
    assert type(loaded.model) is type(trained) and not loaded.model.training
    expected = _predictions(trained, loaded.task, 0)
    got = _predictions(loaded.model, loaded.task, 0)
    assert len(got) == len(expected) > 0
    assert all(torch.equal(a, b) for a, b in zip(got, expected))
    # the checkpoint alone rebuilds the same model, with no dataset anywhere
    monkeypatch.setenv("GRAPHKIT_MIRROR", str(tmp_path / "no-mirror"))
    monkeypatch.setenv("GRAPHKIT_DATA", str(tmp_path / "no-data"))
    alone = graphkit.load_model(loaded.checkpoint)
    assert not (tmp_path / "no-data").exists()
    assert all(torch.equal(a, b) for a, b in zip(_predictions(alone, loaded.task, 0), expected))


def test_load_model_refuses_a_checkpoint_without_build_information(tmp_path):
    path = tmp_path / "old.pt"
    torch.save({"model": {"w": torch.zeros(2)}, "epoch": 3}, path)
    with pytest.raises(CheckpointError, match="cannot be rebuilt.*no 'build' entry"):
        graphkit.load_model(path)


def test_load_model_names_an_unreadable_checkpoint(tmp_path):
    path = tmp_path / "cut.pt"
    path.write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(CheckpointError, match=f"checkpoint {path} is corrupt or truncated"):
        graphkit.load_model(path)


def test_eval_cli_old_checkpoint_is_one_line_error(tmp_path, capsys):
    run = tmp_path / "run"
    (run / "checkpoints").mkdir(parents=True)
    (run / "config.yaml").write_text("data: {name: cora}\nmodel: {name: gcn}\nseeds: [0]\n")
    torch.save({"model": {}, "epoch": 0}, run / "checkpoints" / "best-seed0-split0.pt")
    assert main(["eval", str(run)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("graphkit: error:") and "cannot be rebuilt" in err[0]


def test_load_run_refuses_a_directory_that_is_not_a_run_and_creates_nothing(tmp_path):
    with pytest.raises(graphkit.errors.GraphkitError, match="not a run directory"):
        graphkit.load_run(tmp_path)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
@pytest.mark.parametrize("config,extra", [
    ("gcn/cora.yaml", ["--seeds", "0,1"]),
    ("gin/mutag.yaml", ["data.splits=[0,1]"]),
    ("ncn/cora.yaml", ["model.hidden_channels=32"]),
])
def test_eval_reproduces_results_json_exactly(mirror, tmp_path, capsys, config, extra):
    run = tmp_path / "run"
    args = ["tracking.wandb.mode=disabled", "--quiet", "--threads", "1", "trainer.epochs=3", *extra]
    if "--seeds" not in extra:
        args.append("seeds=[0]")
    assert main(["train", str(REPO / "configs" / config), "--run-dir", str(run), *args]) == 0
    results = json.loads((run / "results.json").read_text())
    assert main(["eval", str(run), "--threads", "1"]) == 0
    evaluated = json.loads((run / "eval.json").read_text())
    assert evaluated["test"] == results["test"]
    assert evaluated["val"] == results["val"]
    assert evaluated["metric"] == results["metric"] and evaluated["dataset"] == results["dataset"]
    assert f"({'test'}, " in capsys.readouterr().out


@pytest.mark.slow
def test_load_run_applies_model_overrides_to_the_saved_model(mirror, tmp_path):
    # evaluation-time settings of the saved model (here: how many node orderings
    # Graph-Mamba averages) must follow the override, or an ablation silently evaluates
    # the default
    run = tmp_path / "gps-mamba"
    assert main(["train", str(REPO / "configs/gps/mutag.yaml"), "--run-dir", str(run), *FAST,
                 "model.num_layers=2", "model.hidden_channels=32", "data.splits=[0]",
                 "model.global_model=mamba", "model.mamba_eval_orderings=5"]) == 0
    five = graphkit.load_run(run)
    one = graphkit.load_run(run, overrides=["model.mamba_eval_orderings=1"])
    orderings = {m.eval_orderings for m in one.model.modules() if hasattr(m, "eval_orderings")}
    assert orderings == {1}
    assert not all(torch.equal(a, b) for a, b in
                   zip(_predictions(one.model, one.task, 0), _predictions(five.model, five.task, 0)))
    with pytest.raises(CheckpointError, match="do not fit"):
        graphkit.load_run(run, overrides=["model.hidden_channels=24"])
