import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from graphkit.cli.main import main

REPO = Path(__file__).resolve().parents[2]
CORA = str(REPO / "configs" / "gcn" / "cora.yaml")
FAST = ["tracking.wandb.mode=disabled", "--quiet", "--threads", "1"]


@pytest.mark.slow
def test_train_cli_cora_writes_run_directory_and_plots(mirror, tmp_path, capsys):
    run = tmp_path / "run"
    assert main(["train", CORA, "--run-dir", str(run), "trainer.epochs=30", "--seeds", "0,1", *FAST]) == 0
    out = capsys.readouterr().out
    assert "gcn on cora: test accuracy" in out and str(run) in out
    results = json.loads((run / "results.json").read_text())
    assert {"task", "dataset", "model", "metric", "seeds", "val", "test", "params", "wall_seconds"} <= set(results)
    assert results["metric"] == "accuracy" and results["seeds"] == [0, 1]
    acc = results["test"]["accuracy"]
    assert len(acc["per_seed"]) == 2 and acc["mean"] > 0.6  # 30 epochs already learn Cora
    rows = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    assert len(rows) == 60 and {"train_loss", "val_accuracy", "lr"} <= set(rows[0])
    assert (run / "config.yaml").is_file()
    assert {p.name for p in (run / "checkpoints").iterdir()} >= {
        "last.pt", "best.pt", "best-seed0-split0.pt", "best-seed1-split0.pt"}
    assert main(["plot", str(run)]) == 0
    assert (run / "plots" / "val_accuracy.png").stat().st_size > 1000


def _graphkit(*args: str) -> list[str]:
    return [sys.executable, "-m", "graphkit", *args]


@pytest.mark.slow
def test_train_cli_resume_after_sigkill_matches_uninterrupted_run(mirror, tmp_path):
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    common = ["trainer.epochs=40", "trainer.patience=null", *FAST]
    ref = tmp_path / "ref"
    subprocess.run(_graphkit("train", CORA, "--run-dir", str(ref), *common), check=True, env=env,
                   capture_output=True)
    run = tmp_path / "killed"
    proc = subprocess.Popen(_graphkit("train", CORA, "--run-dir", str(run), *common), env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    metrics = run / "metrics.jsonl"
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None:
        if metrics.is_file() and len(metrics.read_text().splitlines()) >= 8:
            break
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, "run finished before it could be killed"
    assert not (run / "results.json").exists()
    done = subprocess.run(_graphkit("train", "--resume", str(run), "--quiet"), env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    got, want = (json.loads((d / "results.json").read_text()) for d in (run, ref))
    for split in ("val", "test"):
        for metric in ("accuracy", "macro_f1"):
            assert got[split][metric]["per_seed"] == pytest.approx(want[split][metric]["per_seed"], abs=1e-6)
    assert got["runs"][0]["best_epoch"] == want["runs"][0]["best_epoch"]
    epochs = [json.loads(line)["epoch"] for line in metrics.read_text().splitlines()]
    assert epochs == list(range(40))


def _error_line(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err
    assert len(err.splitlines()) == 1, err
    return err


def test_train_cli_unknown_config_key_is_one_line_error(tmp_path, capsys):
    assert main(["train", CORA, "model.hiden=3", "--run-dir", str(tmp_path)]) == 2
    assert "model: unknown key 'hiden'" in _error_line(capsys)


def test_train_cli_wrong_type_is_one_line_error(tmp_path, capsys):
    assert main(["train", CORA, "optim.lr=fast", "--run-dir", str(tmp_path)]) == 2
    assert "optim.lr: expected float, got 'fast'" in _error_line(capsys)


def test_train_cli_unknown_dataset_lists_choices(tmp_path, capsys):
    assert main(["train", CORA, "data.name=coraa", "--run-dir", str(tmp_path), *FAST]) == 2
    line = _error_line(capsys)
    assert "unknown dataset 'coraa'" in line and "cora" in line


def test_train_cli_unwritable_run_dir_is_one_line_error(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert main(["train", CORA, "--run-dir", str(blocker / "run"), *FAST]) == 2
    assert "is not writable" in _error_line(capsys)


def test_train_cli_corrupt_mirror_file_names_file_and_hashes(mirror, tmp_path, capsys):
    bad = tmp_path / "mirror"
    shutil.copytree(mirror / "planetoid", bad / "planetoid")
    target = bad / "planetoid" / "ind.cora.graph"
    target.chmod(0o644)
    target.write_bytes(target.read_bytes()[:100])  # truncated download
    args = ["train", CORA, f"data.mirror={str(bad)!r}", f"data.root={str(tmp_path / 'data')!r}",
            "--run-dir", str(tmp_path / "run"), *FAST]
    assert main(args) == 2
    line = _error_line(capsys)
    assert "ind.cora.graph" in line and "58f13302f39dde8852dad6fe6d15b89b077b6d7f837626bce671ef80344b383d" in line
    assert not list((tmp_path / "data").rglob("ind.cora.graph"))  # nothing half-processed kept


@pytest.mark.slow
def test_train_cli_nproc2_matches_single_process_within_tolerance(mirror, tmp_path):
    """Same global batch and seed: the 2-process gloo run follows the 1-process run."""
    config = str(REPO / "configs" / "gin" / "mutag.yaml")
    common = ["data.splits=[0]", "trainer.epochs=3", "model.dropout=0.0", "model.norm=none", *FAST]
    assert main(["train", config, "--run-dir", str(tmp_path / "one"), *common]) == 0
    assert main(["train", config, "--nproc", "2", "--run-dir", str(tmp_path / "two"), *common]) == 0
    one, two = (json.loads((tmp_path / d / "results.json").read_text()) for d in ("one", "two"))
    assert two["processes"] == 2 and one["processes"] == 1
    rows = [[json.loads(line) for line in (tmp_path / d / "metrics.jsonl").read_text().splitlines()]
            for d in ("one", "two")]
    assert len(rows[1]) == 3  # rank 0 alone writes metrics
    for a, b in zip(*rows):
        assert b["train_loss"] == pytest.approx(a["train_loss"], abs=5e-3)
        assert abs(b["val_accuracy"] - a["val_accuracy"]) <= 0.06  # one graph of 18


@pytest.mark.slow
def test_train_cli_neighbor_sampled_sage_on_cora(mirror, tmp_path):
    run = tmp_path / "run"
    args = ["train", CORA, "--run-dir", str(run), "model.name=sage", "task.num_neighbors=[5,5]",
            "data.batch_size=32", "trainer.epochs=30", "task.eval_chunk_size=500", *FAST]
    assert main(args) == 0
    results = json.loads((run / "results.json").read_text())
    assert results["test"]["accuracy"]["mean"] > 0.6


@pytest.fixture(scope="module")
def finished_cora_run(tmp_path_factory):
    """A finished 2-epoch GCN run on Cora; tests take copies."""
    if not (Path(os.environ["GRAPHKIT_MIRROR"]) / "MANIFEST.tsv").is_file():
        pytest.skip("dataset mirror not found")
    run = tmp_path_factory.mktemp("cora") / "run"
    assert main(["train", CORA, "--run-dir", str(run), "trainer.epochs=2", *FAST]) == 0
    return run


def _interrupted_copy(run: Path, dest: Path) -> Path:
    """The run as if killed after its last epoch: resume re-enters the trainer."""
    shutil.copytree(run, dest)
    (dest / "completed.jsonl").unlink()
    (dest / "results.json").unlink()
    return dest


def test_train_cli_busy_run_dir_names_the_holder(finished_cora_run, tmp_path, capsys):
    from tests.trainers.test_run_lock import hold_lock_in_subprocess

    run = tmp_path / "busy"
    run.mkdir()
    holder = hold_lock_in_subprocess(run)
    try:
        for argv in (["train", CORA, "--run-dir", str(run), *FAST],
                     ["train", CORA, "--run-dir", str(run), "--nproc", "2", *FAST]):
            assert main(argv) == 2
            assert f"is in use by pid {holder.pid} on host" in _error_line(capsys)
        assert sorted(p.name for p in run.iterdir()) == [".lock"]  # nothing written
        busy = shutil.copytree(finished_cora_run, tmp_path / "busy-resume")
        holder2 = hold_lock_in_subprocess(busy)
        try:
            assert main(["train", "--resume", str(busy), "--quiet"]) == 2
            assert f"pid {holder2.pid}" in _error_line(capsys)
        finally:
            holder2.kill()
            holder2.wait()
    finally:
        holder.kill()
        holder.wait()


def test_train_cli_stale_lock_and_partial_writes_do_not_block_resume(finished_cora_run, tmp_path, capsys):
    from tests.trainers.test_run_lock import hold_lock_in_subprocess

    run = _interrupted_copy(finished_cora_run, tmp_path / "run")
    holder = hold_lock_in_subprocess(run)
    holder.send_signal(signal.SIGKILL)  # killed while holding the lock
    holder.wait()
    leftover = run / "checkpoints" / ".last.pt.x81kq.tmp"
    leftover.write_bytes(b"half a checkpoint")
    assert main(["train", "--resume", str(run), "--quiet"]) == 0
    assert "gcn on cora" in capsys.readouterr().out
    assert not leftover.exists()
    assert [json.loads(line)["epoch"] for line in (run / "metrics.jsonl").read_text().splitlines()] == [0, 1]


@pytest.mark.parametrize("target,damage", [
    ("last.pt", lambda b: b""), ("last.pt", lambda b: b[:100]),
    ("last.pt", lambda b: bytes(x ^ 0xFF for x in b)), ("best.pt", lambda b: b[: len(b) // 2]),
])
def test_train_cli_resume_with_corrupt_checkpoint_is_one_line_error(finished_cora_run, tmp_path, capsys,
                                                                    target, damage):
    run = _interrupted_copy(finished_cora_run, tmp_path / "run")
    path = run / "checkpoints" / target
    path.write_bytes(damage(path.read_bytes()))
    assert main(["train", "--resume", str(run), "--quiet"]) == 2
    line = _error_line(capsys)
    assert str(path) in line and "--resume again" in line


def test_train_cli_resume_with_pickle_payload_checkpoint_refuses_it(finished_cora_run, tmp_path, capsys):
    import torch

    from tests.trainers.test_checkpoint import _Touch

    run = _interrupted_copy(finished_cora_run, tmp_path / "run")
    marker = tmp_path / "MARKER"
    torch.save({"model": _Touch(marker)}, run / "checkpoints" / "last.pt")
    assert main(["train", "--resume", str(run), "--quiet"]) == 2
    assert "last.pt holds pickled objects" in _error_line(capsys)
    assert not marker.exists()


def test_train_cli_resume_on_a_non_run_directory_creates_nothing(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("not a run")
    assert main(["train", "--resume", str(tmp_path), "--quiet"]) == 2
    assert "is not a run directory (no config.yaml)" in _error_line(capsys)
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


@pytest.mark.parametrize("override", ["data.name=coraa", "model.name=gcnn", "data.splits=[5]"])
def test_train_cli_failed_start_leaves_no_run_directory(mirror, tmp_path, capsys, override):
    runs = tmp_path / "runs"
    assert main(["train", CORA, override, "--runs-root", str(runs), *FAST]) == 2
    _error_line(capsys)
    assert not runs.exists() or list(runs.rglob("*")) == []


@pytest.mark.parametrize("yaml_value,key", [("{lr: .nan}", "optim.lr"), ("{lr: .inf}", "optim.lr"),
                                            ("{lr: 0.01, weight_decay: -.inf}", "optim.weight_decay")])
def test_train_cli_non_finite_yaml_number_is_one_line_error(tmp_path, capsys, yaml_value, key):
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text(Path(CORA).read_text() + f"\noptim: {yaml_value}\n")
    assert main(["train", str(cfg), "--runs-root", str(tmp_path / "runs"), *FAST]) == 2
    assert f"{key}: expected a finite number" in _error_line(capsys)
    assert not (tmp_path / "runs").exists()


@pytest.mark.parametrize("threads", ["0", "-1"])
def test_train_cli_bad_thread_count_is_one_line_error(tmp_path, capsys, threads):
    assert main(["train", CORA, "--runs-root", str(tmp_path / "runs"), "--quiet", f"--threads={threads}"]) == 2
    assert "trainer.threads (--threads) must be >= 1" in _error_line(capsys)


def test_train_cli_full_disk_under_run_dir_is_one_line_error(mirror, tmp_path, capsys, monkeypatch):
    import errno

    from graphkit.trainers import checkpoint as ckpt

    save = ckpt.save_atomic

    def full_at_epoch_1(obj, path):
        if obj.get("epoch") == 1:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        save(obj, path)

    monkeypatch.setattr(ckpt, "save_atomic", full_at_epoch_1)
    run = tmp_path / "run"
    assert main(["train", CORA, "--run-dir", str(run), "trainer.epochs=3", *FAST]) == 2
    line = _error_line(capsys)
    assert "No space left on device" in line and f"--resume {run}" in line
    monkeypatch.undo()
    assert main(["train", "--resume", str(run), "--quiet"]) == 0
    assert [json.loads(r)["epoch"] for r in (run / "metrics.jsonl").read_text().splitlines()] == [0, 1, 2]


# A file-size limit fails writes the way a nearly full disk does (EFBIG instead of
# ENOSPC), at the first checkpoint: config.yaml and metrics.jsonl fit under it.
_LIMITED = """
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (60_000, 60_000))
from graphkit.cli.main import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("command", ["train", pytest.param("sparsify", marks=pytest.mark.slow)])
def test_cli_full_disk_at_first_checkpoint_is_one_line(mirror, tmp_path, command):
    if command == "train":
        args = ["train", CORA, "--run-dir", str(tmp_path / "run"), "trainer.epochs=1", *FAST]
        assert main(args[:3] + [str(tmp_path / "warm")] + args[4:]) == 0  # the data cache, unlimited
    else:
        dense = tmp_path / "dense"
        assert main(["train", str(REPO / "configs/gps/mutag.yaml"), "--run-dir", str(dense), "trainer.epochs=1",
                     "data.splits=[0]", "model.num_layers=1", *FAST]) == 0
        args = ["sparsify", str(dense), "--out", str(tmp_path / "run"), "tracking.wandb.mode=disabled",
                "sparsify.gate_epochs=1", "sparsify.fixed_epochs=1", "sparsify.baselines=[]", "--quiet"]
    done = subprocess.run([sys.executable, "-c", _LIMITED, *args], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "File too large" in done.stderr and f"{tmp_path / 'run'}" in done.stderr
    assert ".pt" in done.stderr  # names the checkpoint it could not write
