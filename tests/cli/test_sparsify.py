import json
from pathlib import Path

import pytest
import torch

import graphkit
from graphkit.cli.main import main

REPO = Path(__file__).resolve().parents[2]
FAST = ["tracking.wandb.mode=disabled", "--quiet", "--threads", "1"]
# every GTSP dimension on, tiny budgets: 2 gate epochs (the kill lands between them), 1 fixed
SHORT = ["tracking.wandb.mode=disabled", "sparsify.gate_epochs=2", "sparsify.fixed_epochs=1", "seeds=[0]",
         "sparsify.latency_repeats=3", "sparsify.latency_graphs=16"]


@pytest.fixture(scope="module")
def dense_mutag(tmp_path_factory, mirror):
    run = tmp_path_factory.mktemp("dense") / "run"
    assert main(["train", str(REPO / "configs/gps/mutag.yaml"), "--run-dir", str(run), "trainer.epochs=2",
                 "data.splits=[0]", "model.num_layers=2", *FAST]) == 0
    return run


def _state(path: Path) -> dict:
    return torch.load(path, weights_only=True)["model"]


@pytest.mark.slow
def test_sparsify_cli_on_mutag_then_eval_and_resume_after_kill(dense_mutag, tmp_path, capsys):
    out = tmp_path / "sparse"
    args = ["sparsify", str(dense_mutag), "--config", str(REPO / "configs/sparsify/mutag.yaml"), *SHORT]
    assert main([*args, "--out", str(out), "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "learned: test accuracy" in printed and "magnitude:" in printed and "random:" in printed
    results = json.loads((out / "results.json").read_text())
    assert set(results["summary"]) == {"learned", "magnitude", "random"}
    for run in results["runs"]:
        assert run["calibration_flops_ratio"] <= 0.7  # the budget, on the validation graphs
        assert run["flops_ratio"] < 0.8 and run["params"] < results["dense"]["params"]
        assert run["compact_max_abs_diff"] < 1e-4
        assert run["latency"]["compact"]["median_ms"] > 0
    learned = next(r for r in results["runs"] if r["method"] == "learned")
    assert learned["weight_sparsity"] > 0.3
    assert learned["model"]["layer_token_ratio"] == [0.75] * learned["model"]["num_layers"]

    # the output is a run directory like any other
    assert main(["eval", str(out)]) == 0
    evaluated = json.loads((out / "eval.json").read_text())
    assert evaluated["test"]["accuracy"]["per_seed"][0] == pytest.approx(learned["test"]["accuracy"], abs=1e-6)
    model = graphkit.load_model(out / "checkpoints" / "best.pt")
    assert sum(p.numel() for p in model.parameters()) == learned["params"]

    # killed after the first gate epoch, then resumed: the same compact model
    from graphkit.config import apply_overrides, load_yaml
    from graphkit.sparsify.sparsifier import Sparsifier
    from graphkit.sparsify.sparsify_config import SparsifyRunConfig
    from graphkit.trainers.run_dir import RunDir

    cfg = apply_overrides(SparsifyRunConfig, load_yaml(REPO / "configs/sparsify/mutag.yaml"),
                          [*SHORT, "sparsify.baselines=[]"])
    loaded = graphkit.load_run(dense_mutag)
    killed = RunDir(tmp_path / "killed")

    def kill(row):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        Sparsifier(loaded, cfg, killed, callbacks=(kill,)).run()
    assert (killed.path / "finetune" / "learned-seed0" / "gates" / "checkpoints" / "last.pt").is_file()
    assert not (killed.path / "results.json").exists()
    Sparsifier(graphkit.load_run(dense_mutag), cfg, killed).run(resume=True)
    got, want = _state(killed.best), _state(out / "checkpoints" / "best.pt")
    assert got.keys() == want.keys()
    for key in want:
        assert torch.equal(got[key], want[key]), key


@pytest.mark.slow
def test_frozen_gate_phase_leaves_the_trained_weights_alone(dense_mutag, tmp_path):
    from graphkit.config import apply_overrides, load_yaml
    from graphkit.sparsify.sparsifier import Sparsifier
    from graphkit.sparsify.sparsify_config import SparsifyRunConfig
    from graphkit.trainers.run_dir import RunDir

    def plan_state(gate_weights: bool) -> tuple[dict, dict]:
        cfg = apply_overrides(SparsifyRunConfig, load_yaml(REPO / "configs/sparsify/mutag.yaml"),
                              [*SHORT, "sparsify.baselines=[]", f"sparsify.gate_weights={str(gate_weights).lower()}",
                               "sparsify.distill=0.5", "sparsify.weight_sparsity=0"])
        loaded = graphkit.load_run(dense_mutag)
        dense = {k: v.clone() for k, v in loaded.model.state_dict().items()}
        out = RunDir(tmp_path / f"gate-weights-{gate_weights}")
        Sparsifier(loaded, cfg, out).run()
        return dense, _state(out.path / "finetune" / "learned-seed0" / "gates" / "plan.pt")

    dense, frozen = plan_state(False)
    weights = [k for k, v in dense.items() if v.is_floating_point() and "running" not in k]
    for key in weights:
        assert torch.equal(frozen[f"base.{key}"], dense[key]), key
    assert any(bool(frozen[k].abs().sum() > 0) for k in frozen if k.endswith("gate.theta"))  # the gates learned
    _, trained = plan_state(True)
    assert any(not torch.equal(trained[f"base.{key}"], dense[key]) for key in weights)


@pytest.fixture(scope="module")
def gcn_cora(tmp_path_factory, mirror):
    run = tmp_path_factory.mktemp("gcn") / "run"
    assert main(["train", str(REPO / "configs/gcn/cora.yaml"), "--run-dir", str(run), "trainer.epochs=1",
                 *FAST]) == 0
    return run


def test_sparsify_refuses_an_out_directory_another_run_holds(dense_mutag, tmp_path, capsys):
    from graphkit.trainers.run_lock import RunLock

    out = tmp_path / "sparse"
    out.mkdir()
    with RunLock(out):  # what a concurrent sparsify on the same --out holds
        assert main(["sparsify", str(dense_mutag), "--out", str(out), *SHORT, "--quiet"]) == 2
    assert f"run directory {out} is in use by pid" in capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == [".lock"]  # nothing written by the refused run


def test_sparsify_failed_starts_leave_no_out_directory(gcn_cora, dense_mutag, tmp_path, capsys):
    out = tmp_path / "sparse"
    assert main(["sparsify", str(gcn_cora), "--out", str(out), "--sweep", "0.8,0.7", *SHORT]) == 2
    assert "works on GPS-family runs" in capsys.readouterr().err and not out.exists()
    for sweep in ("0", "1.5", "nan", "-1"):
        assert main(["sparsify", str(dense_mutag), "--out", str(out), f"--sweep={sweep}", *SHORT]) == 2
        assert "every target must be in (0, 1]" in capsys.readouterr().err and not out.exists()
    for threads in ("0", "-1"):
        assert main(["sparsify", str(dense_mutag), "--out", str(out), f"threads={threads}", *SHORT]) == 2
        assert f"threads must be >= 1 (or null for torch's default), got {threads}" in capsys.readouterr().err
        assert not out.exists()


def test_sparsify_resume_reruns_a_garbled_finetune_result(tmp_path):
    from graphkit.sparsify.sparsifier import _finished_result

    part = tmp_path / "result.json"
    good = {k: 1 for k in ("val", "test", "flops", "flops_ratio", "params", "latency", "speedup", "model",
                           "checkpoint")}
    part.write_text(json.dumps({**good, "method": "learned", "seed": 0}))
    assert _finished_result(part, "learned", 0)["method"] == "learned"
    for text, why in [("{\"method\": \"lea", "JSONDecodeError"), ("[1, 2]", "not the result of"),
                      (json.dumps({**good, "method": "random", "seed": 0}), "not the result of")]:
        part.write_text(text)
        with pytest.warns(UserWarning, match=f"unreadable .*{why}.*running learned seed 0 again"):
            assert _finished_result(part, "learned", 0) is None
    part.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.warns(UserWarning, match="UnicodeDecodeError"):
        assert _finished_result(part, "learned", 0) is None


def test_sparsify_in_a_log_prints_stages_epochs_and_an_eta(dense_mutag, tmp_path, capsys):
    out = tmp_path / "logged"
    assert main(["sparsify", str(dense_mutag), "--config", str(REPO / "configs/sparsify/mutag.yaml"), "--out",
                 str(out), "tracking.wandb.mode=disabled", "sparsify.gate_epochs=1", "sparsify.fixed_epochs=1",
                 "seeds=[0]", "sparsify.baselines=['magnitude']", "sparsify.latency_repeats=1",
                 "sparsify.latency_graphs=4"]) == 0
    err = capsys.readouterr().err  # not a terminal, as a log file
    assert "\r" not in err
    lines = [line for line in err.splitlines() if line.startswith(("sparsify:", "learned", "magnitude"))]
    assert lines[0].startswith("sparsify: evaluating the dense model")
    assert lines[1].startswith("sparsify: dense model: test accuracy") and "2 fine-tunings" in lines[1]
    assert "sparsify: [1/2] learned seed 0: planning and fine-tuning" in lines
    assert any(line.startswith("learned gates seed 0 split 0 epoch 1/1:") for line in lines)
    assert any(line.startswith("learned fixed plan seed 0 split 0 epoch 1/1:") for line in lines)
    assert any(line.startswith("sparsify: [1/2] learned seed 0: test accuracy") and "ETA" in line for line in lines)
    assert lines[-1].startswith("sparsify: [2/2] magnitude seed 0: test accuracy") and "ETA" not in lines[-1]
