import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import optuna
import pytest
import yaml
from optuna.trial import TrialState

from graphkit.cli.main import main
from graphkit.sweep import Sweep
from graphkit.config import RunConfig
from graphkit.runs.config_loading import load_config
from tests.datasets.own_data_helpers import write_edge_list_folder

REPO = Path(__file__).resolve().parents[2]
GCN = str(REPO / "configs" / "gcn" / "cora.yaml")


@pytest.fixture
def tiny(tmp_path):
    """A 10-node two-clique graph (4 test nodes) and a two-key space over it."""
    graph = write_edge_list_folder(tmp_path / "graph")
    space = tmp_path / "space.yaml"
    space.write_text("optim.lr: {log_uniform: [1.0e-3, 1.0e-1]}\nmodel.hidden_channels: {choice: [4, 8]}\n")
    base = [GCN, f"data.name={str(graph)!r}", "data.split=default", "data.normalize_features=false",
            "tracking.wandb.mode=disabled", "trainer.threads=1"]
    return base, space


def _study(study_dir: Path) -> optuna.Study:
    name = yaml.safe_load((study_dir / "sweep.yaml").read_text())["name"]
    return optuna.load_study(study_name=name, storage=f"sqlite:///{study_dir / 'study.db'}")


def _counted(study: optuna.Study) -> list:
    return [t for t in study.get_trials() if t.state in (TrialState.COMPLETE, TrialState.PRUNED)
            or (t.state == TrialState.FAIL and not t.user_attrs.get("stale"))]


def _check_one_directory_per_trial(study_dir: Path, trials: int) -> None:
    counted = _counted(_study(study_dir))
    assert len(counted) == trials
    numbers = sorted(t.number for t in counted)
    assert len(set(numbers)) == trials
    dirs = sorted(p.name for p in (study_dir / "trials").iterdir())
    assert dirs == [f"trial-{n:04d}" for n in numbers]  # no directory of a killed trial left beside its retry
    for t in counted:
        assert t.user_attrs["run_dir"] == f"trials/trial-{t.number:04d}"
        if t.state == TrialState.COMPLETE:
            results = json.loads((study_dir / "trials" / f"trial-{t.number:04d}" / "results.json").read_text())
            assert results["val"]["accuracy"]["mean"] == pytest.approx(t.value)


def test_sweep_cli_three_trials_on_a_tiny_graph(tiny, tmp_path, capsys):
    base, space = tiny
    study_dir = tmp_path / "study"
    argv = ["sweep", *base, "trainer.epochs=3", "--space", str(space), "--trials", "3", "--study-dir", str(study_dir),
            "--final-seeds", "0,1", "--pruner", "median"]  # median: no pruning before 5 trials, so all complete
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert out.count("trial ") >= 3 and "best trial" in out and "importance (fANOVA)" in out
    _check_one_directory_per_trial(study_dir, 3)
    study = _study(study_dir)
    assert [t.state for t in study.trials] == [TrialState.COMPLETE] * 3
    # every trial is a normal run directory, in the study's W&B group, with the trial's values
    for t in study.trials:
        cfg = yaml.safe_load((study_dir / t.user_attrs["run_dir"] / "config.yaml").read_text())
        assert cfg["optim"]["lr"] == pytest.approx(t.params["optim.lr"])
        assert cfg["model"]["hidden_channels"] == t.params["model.hidden_channels"]
        assert cfg["tracking"]["wandb"]["group"] == study.study_name
        assert len((study_dir / t.user_attrs["run_dir"] / "metrics.jsonl").read_text().splitlines()) == 3
    best = study.best_trial
    summary = json.loads((study_dir / "summary.json").read_text())
    assert summary["best"]["number"] == best.number and summary["trials"] == 3 and summary["epochs"] == 9
    assert summary["final"]["seeds"] == [0, 1]
    final = json.loads((study_dir / "final" / "results.json").read_text())
    assert final["seeds"] == [0, 1] and summary["final"]["test"]["accuracy"]["mean"] == final["test"]["accuracy"]["mean"]
    # best.yaml is the base config with the best values and the final seeds: it trains as is
    text = (study_dir / "best.yaml").read_text()
    assert text.startswith(f"# graphkit train {study_dir / 'best.yaml'}\n")
    cfg = load_config(RunConfig, study_dir / "best.yaml")
    assert cfg.optim.lr == pytest.approx(best.params["optim.lr"]) and cfg.seeds == (0, 1)
    assert cfg.model.hidden_channels == best.params["model.hidden_channels"] and cfg.trainer.epochs == 3
    assert (study_dir / "history.png").stat().st_size > 1000
    # the study is there: starting it again is refused, --resume with another pruner too, one line each
    assert main(argv[:-2]) == 2
    assert "already holds a sweep; add --resume" in capsys.readouterr().err
    assert main(["sweep", "--resume", "--study-dir", str(study_dir), "--pruner", "hyperband"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"graphkit: error: --resume continues {study_dir} as it was started; drop --pruner hyperband " \
                  f"(the study has median)"
    assert main(["sweep", "--resume", "--study-dir", str(study_dir), "--final-seeds", "0,1,2"]) == 2
    assert "drop --final-seeds 0,1,2 (the study has 0,1)" in capsys.readouterr().err
    # resuming a finished study adds nothing: the final run is read back
    final_mtime = (study_dir / "final" / "results.json").stat().st_mtime
    assert main(["sweep", "--resume", "--study-dir", str(study_dir)]) == 0
    assert len(_study(study_dir).trials) == 3
    assert (study_dir / "final" / "results.json").stat().st_mtime == final_mtime
    # --trials extends the study; the final run follows the (possibly new) best trial
    assert main(["sweep", "--resume", "--study-dir", str(study_dir), "--trials", "4"]) == 0
    study = _study(study_dir)
    assert len(study.trials) == 4
    final_cfg = yaml.safe_load((study_dir / "final" / "config.yaml").read_text())
    assert final_cfg["optim"]["lr"] == study.best_trial.params["optim.lr"]


def test_sweep_cli_unknown_space_key_is_one_line(tiny, tmp_path, capsys):
    base, _ = tiny
    space = tmp_path / "bad.yaml"
    space.write_text("optim.learning_rate: {log_uniform: [1.0e-3, 1.0e-1]}\n")
    assert main(["sweep", *base, "--space", str(space), "--study-dir", str(tmp_path / "s")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "unknown key 'optim.learning_rate'; valid keys under optim: optim.name" in err
    assert not (tmp_path / "s").exists()


def _graphkit(*args: str) -> list[str]:
    return [sys.executable, "-m", "graphkit", *args]


@pytest.mark.slow
def test_sweep_resume_after_sigkill_ends_with_exactly_n_trials(tiny, tmp_path):
    base, space = tiny
    study_dir = tmp_path / "study"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    # long enough trials (no early stop) that the kill lands inside one
    argv = _graphkit("sweep", *base, "trainer.epochs=60", "trainer.patience=null", "--space", str(space),
                     "--trials", "4", "--study-dir", str(study_dir), "--pruner", "none")
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    second = study_dir / "trials" / "trial-0001" / "metrics.jsonl"
    deadline = time.time() + 180
    while time.time() < deadline and proc.poll() is None:
        if second.is_file() and len(second.read_text().splitlines()) >= 5:
            break
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read().decode()[-2000:]
    killed = _study(study_dir)
    assert [t.state for t in killed.trials] == [TrialState.COMPLETE, TrialState.RUNNING]
    done = subprocess.run(_graphkit("sweep", "--resume", "--study-dir", str(study_dir)), env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    study = _study(study_dir)
    stale = [t for t in study.trials if t.user_attrs.get("stale")]
    assert [t.number for t in stale] == [1] and stale[0].state == TrialState.FAIL
    retry = next(t for t in study.trials if t.user_attrs.get("retry_of") == 1)
    assert retry.params == stale[0].params and retry.state == TrialState.COMPLETE
    # the retry continued the killed trial's run: every epoch logged once, in its own directory
    rows = (study_dir / retry.user_attrs["run_dir"] / "metrics.jsonl").read_text().splitlines()
    assert [json.loads(r)["epoch"] for r in rows] == list(range(60))
    _check_one_directory_per_trial(study_dir, 4)
    assert (study_dir / "best.yaml").is_file()


class _Killed(BaseException):
    """Stands for SIGKILL inside a trial: nothing after it runs (no tell, no cleanup)."""


def test_sweep_resume_retries_a_trial_whose_process_died(tiny, tmp_path):
    # in one process, the state a kill -9 leaves: a RUNNING trial tagged by a worker whose
    # lock is gone, its run directory half trained (rows and last.pt of epochs 0..5)
    from graphkit.api import train
    from graphkit.sweep.search_space import overrides_of

    base, space = tiny
    study_dir = tmp_path / "study"
    overrides = [*base[1:], "trainer.epochs=12", "trainer.patience=null"]
    sweep = Sweep.create(study_dir, base[0], space, trials=3, overrides=overrides, pruner="none", log=lambda s: None)
    store = sweep._open_store()
    store.join()
    trial = store.claim(3)
    params = sweep.space.suggest(trial)

    def kill_at_epoch_5(row):
        if row["epoch"] == 5:
            raise _Killed

    with pytest.raises(_Killed):
        train(sweep.base, overrides_of(params), run_dir=sweep.trial_dir(trial.number), callbacks=(kill_at_epoch_5,))
    store.leave()  # the process is gone: its worker lock with it
    lines = []
    resumed = Sweep.open(study_dir, log=lines.append)
    resumed.run_until_done()
    resumed.finish()
    study = _study(study_dir)
    assert study.trials[0].state == TrialState.FAIL and study.trials[0].user_attrs["stale"] is True
    retry = next(t for t in study.trials if t.user_attrs.get("retry_of") == 0)
    assert retry.params == params and retry.state == TrialState.COMPLETE
    rows = [json.loads(r) for r in (study_dir / retry.user_attrs["run_dir"] / "metrics.jsonl").read_text().splitlines()]
    assert [r["epoch"] for r in rows] == list(range(12))  # continued from last.pt: each epoch once
    _check_one_directory_per_trial(study_dir, 3)
    assert len(lines) == 3  # the retry and two new trials


@pytest.mark.slow
def test_sweep_two_processes_on_one_study_share_the_trials(tiny, tmp_path):
    base, space = tiny
    study_dir = tmp_path / "study"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    common = ["--study-dir", str(study_dir)]
    first = subprocess.Popen(_graphkit("sweep", *base, "trainer.epochs=100", "trainer.patience=null", "--space",
                                       str(space), "--trials", "8", "--pruner", "none", *common),
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while not (study_dir / "study.db").is_file() and time.time() < deadline:
        time.sleep(0.05)
    second = subprocess.run(_graphkit("sweep", "--resume", *common), env=env, capture_output=True, text=True)
    out, err = first.communicate(timeout=600)
    assert first.returncode == 0, err[-2000:]
    assert second.returncode == 0, second.stderr[-2000:]
    _check_one_directory_per_trial(study_dir, 8)
    workers = {t.user_attrs["worker"] for t in _study(study_dir).trials}
    assert len(workers) == 2  # both processes ran trials


@pytest.mark.slow
def test_sweep_cli_nproc_workers_finish_n_trials(tiny, tmp_path, capsys):
    base, space = tiny
    study_dir = tmp_path / "study"
    assert main(["sweep", *base, "trainer.epochs=3", "--space", str(space), "--trials", "4", "--nproc", "2",
                 "--study-dir", str(study_dir)]) == 0
    _check_one_directory_per_trial(study_dir, 4)
    assert len({t.user_attrs["worker"] for t in _study(study_dir).trials}) >= 1


def test_sweep_interrupted_trial_is_given_back_and_retried(tiny, tmp_path, monkeypatch):
    # Ctrl-C inside a trial: not counted as finished, retried (in its directory) by --resume
    from graphkit.sweep import epoch_pruner

    base, space = tiny
    study_dir = tmp_path / "study"
    sweep = Sweep.create(study_dir, base[0], space, trials=2, overrides=[*base[1:], "trainer.epochs=6"],
                         pruner="none", log=lambda s: None)
    report = epoch_pruner.EpochPruner.__call__

    def interrupt_at_epoch_2(self, row):
        if row["epoch"] == 2:
            raise KeyboardInterrupt
        report(self, row)

    monkeypatch.setattr(epoch_pruner.EpochPruner, "__call__", interrupt_at_epoch_2)
    with pytest.raises(KeyboardInterrupt):
        sweep.work()
    monkeypatch.setattr(epoch_pruner.EpochPruner, "__call__", report)
    first = _study(study_dir).trials[0]
    assert first.state == TrialState.FAIL and first.user_attrs["stale"] is True
    Sweep.open(study_dir, log=lambda s: None).run_until_done()
    retry = next(t for t in _study(study_dir).trials if t.user_attrs.get("retry_of") == 0)
    assert retry.params == first.params and retry.state == TrialState.COMPLETE
    _check_one_directory_per_trial(study_dir, 2)


def test_default_pruner_halves_the_trials_at_each_rung(tiny, tmp_path):
    base, space = tiny
    sweep = Sweep.create(tmp_path / "study", base[0], space, trials=3, overrides=base[1:] + ["trainer.epochs=90"],
                         log=lambda s: None)
    assert sweep.cfg.pruner == "sha"
    study = optuna.create_study(direction="maximize", pruner=sweep._pruner())  # rungs at epochs 9, 27, 81

    def epochs_run(value: float) -> int:
        trial = study.ask()
        for epoch in range(90):
            trial.report(value, epoch)
            if trial.should_prune():
                study.tell(trial, state=TrialState.PRUNED)
                return epoch + 1
        study.tell(trial, value)
        return 90

    assert epochs_run(0.5) == 90  # the first trial is the top third of every rung it reaches
    assert epochs_run(0.4) == 10  # below the top third at the first rung (epoch index 9)
    assert epochs_run(0.6) == 90
    assert epochs_run(0.55) == 10  # second of four at the first rung: its top third is one trial


def test_sweep_of_a_sparsify_config_over_a_trained_gps_run(mirror, tmp_path, capsys, monkeypatch):
    from graphkit.sweep import epoch_pruner

    dense = tmp_path / "dense"
    assert main(["train", str(REPO / "configs/gps/mutag.yaml"), "--run-dir", str(dense), "trainer.epochs=2",
                 "data.splits=[0]", "model.num_layers=2", "model.hidden_channels=32", "tracking.wandb.mode=disabled",
                 "--quiet", "--threads", "1"]) == 0
    space = tmp_path / "space.yaml"
    space.write_text("optim.lr: {log_uniform: [1.0e-4, 1.0e-2]}\nsparsify.token_ratio: {choice: [0.5, 0.75]}\n")
    config = str(REPO / "configs/sparsify/mutag.yaml")
    short = ["sparsify.gate_epochs=2", "sparsify.fixed_epochs=2", "seeds=[0]", "sparsify.latency_repeats=2",
             "sparsify.latency_graphs=8", "sparsify.weight_sparsity=0.0", "tracking.wandb.mode=disabled"]
    study_dir = tmp_path / "study"
    # a sparsify config without the run it starts from: one line naming --from-run
    assert main(["sweep", config, *short, "--space", str(space), "--trials", "2", "--study-dir",
                 str(tmp_path / "nope")]) == 2
    assert "--from-run" in capsys.readouterr().err and not (tmp_path / "nope").exists()
    assert main(["sweep", config, *short, "--from-run", str(dense), "--space", str(space), "--trials", "2",
                 "--study-dir", str(study_dir), "--pruner", "none", "--nproc", "0"]) == 2  # refused before writing
    assert not study_dir.exists()
    sweep = Sweep.create(study_dir, config, space, trials=2, overrides=short, pruner="none", from_run=dense,
                         log=lambda s: None)
    report = epoch_pruner.EpochPruner.__call__

    def interrupt_in_the_fixed_plan(self, row):  # Ctrl-C after the first fixed-plan epoch
        report(self, row)
        if self._offset > 0:
            raise KeyboardInterrupt

    monkeypatch.setattr(epoch_pruner.EpochPruner, "__call__", interrupt_in_the_fixed_plan)
    with pytest.raises(KeyboardInterrupt):
        sweep.work()
    monkeypatch.setattr(epoch_pruner.EpochPruner, "__call__", report)
    assert main(["sweep", "--resume", "--study-dir", str(study_dir)]) == 0
    out = capsys.readouterr().out
    assert "best trial" in out and "val.accuracy" in out
    study = _study(study_dir)
    counted = _counted(study)
    assert [t.state for t in counted] == [TrialState.COMPLETE] * 2
    retry = next(t for t in counted if t.user_attrs.get("retry_of") == 0)
    assert sorted(p.name for p in (study_dir / "trials").iterdir()) == [f"trial-{t.number:04d}" for t in counted]
    for t in counted:
        run = study_dir / t.user_attrs["run_dir"]
        cfg = yaml.safe_load((run / "sparsify.yaml").read_text())
        assert cfg["optim"]["lr"] == pytest.approx(t.params["optim.lr"])
        assert cfg["sparsify"]["token_ratio"] == t.params["sparsify.token_ratio"]
        assert cfg["sparsify"]["baselines"] == []  # a trial runs the method only
        assert cfg["tracking"]["wandb"]["group"] == study.study_name
        results = json.loads((run / "results.json").read_text())
        learned = [r for r in results["runs"] if r["method"] == "learned"]
        assert t.value == pytest.approx(learned[0]["val"]["accuracy"])
        # 2 gate + 2 fixed-plan epochs, both stages counted; the retry resumed, so none twice
        assert t.user_attrs["epochs"] == 4
    assert (study_dir / retry.user_attrs["run_dir"] / "finetune").is_dir()
    # the best config re-run as written: its baselines beside it, and best.yaml runs with sparsify
    final = json.loads((study_dir / "final" / "results.json").read_text())
    assert set(final["summary"]) == {"learned", "magnitude", "random"}
    best = (study_dir / "best.yaml").read_text()
    assert best.startswith(f"# graphkit sparsify {dense.resolve()} --config {study_dir / 'best.yaml'}")
    assert yaml.safe_load(best)["optim"]["lr"] == pytest.approx(study.best_trial.params["optim.lr"])
