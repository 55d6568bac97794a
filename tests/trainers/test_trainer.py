import math
import random

import numpy as np
import pytest
import torch

from graphkit.config import OptimConfig
from graphkit.errors import TrainingError
from graphkit.models import build_model_for
from graphkit.models.mpnn import MPNNConfig
from graphkit.tasks.graph_task import GraphTask
from graphkit.tasks.node_task import NodeTask
from graphkit.trainers import checkpoint as ckpt
from graphkit.trainers.optim import build_scheduler
from graphkit.trainers.run_dir import RunDir
from graphkit.trainers.trainer import Trainer
from tests.trainers.helpers import paths_and_cycles, two_communities

CPU = torch.device("cpu")


def _fit(run_dir, epochs=20, resume=False, dataset=None, model_name="gcn", **trainer_kw):
    dataset = dataset or two_communities()
    ckpt.seed_everything(0)
    if dataset.is_graph_level:
        task = GraphTask(dataset, split_index=0, device=CPU, batch_size=8)
    else:
        task = NodeTask(dataset, split_index=0, device=CPU)
    model = build_model_for(MPNNConfig(name=model_name, hidden_channels=8, dropout=0.5), dataset, task.out_channels)
    trainer = Trainer(optim=OptimConfig(lr=0.05), epochs=epochs, run_dir=run_dir, device=CPU,
                      **{"progress": False, **trainer_kw})
    return trainer.fit(model, task, seed=0, split=0, resume=resume), model


def test_trainer_learns_separable_communities_and_writes_checkpoints(tmp_path):
    run_dir = RunDir(tmp_path)
    result, _ = _fit(run_dir, epochs=30)
    assert result.test["accuracy"] == 1.0
    rows = run_dir.read_metrics()
    assert [r["epoch"] for r in rows] == list(range(30))
    assert rows[-1]["train_loss"] < rows[0]["train_loss"]
    last = ckpt.load(run_dir.last)
    assert last["epoch"] == 29 and set(last) >= {"model", "optimizer", "rng", "best_val"}
    assert ckpt.load(run_dir.best)["epoch"] == result.best_epoch


def test_trainer_progress_off_a_terminal_is_one_line_per_epoch(tmp_path, capsys):
    _fit(RunDir(tmp_path), epochs=3, dataset=paths_and_cycles(24), progress=True)
    lines = capsys.readouterr().err.strip().splitlines()  # pytest's stderr is not a terminal
    assert [line.split(":")[0] for line in lines] == [f"seed 0 split 0 epoch {e}/3" for e in (1, 2, 3)]
    assert all("train_loss" in line and "val_accuracy" in line and "batches/s" in line for line in lines)


def test_trainer_quiet_prints_nothing(tmp_path, capsys):
    _fit(RunDir(tmp_path), epochs=2, progress=False)
    assert capsys.readouterr().err == ""


def test_trainer_resume_from_checkpoint_matches_uninterrupted(tmp_path):
    full, full_model = _fit(RunDir(tmp_path / "full"), epochs=12, dataset=paths_and_cycles(), model_name="gin")
    # Train 5 epochs (no schedule, so identical to the first 5 of 12), then resume to 12.
    part = RunDir(tmp_path / "part")
    _fit(part, epochs=5, dataset=paths_and_cycles(), model_name="gin")
    # Pretend the 5-epoch run was a 12-epoch run killed after epoch 4.
    torch.manual_seed(1234)  # a resumed process starts with unrelated RNG state
    resumed, resumed_model = _fit(part, epochs=12, dataset=paths_and_cycles(), model_name="gin", resume=True)
    for a, b in zip(full_model.state_dict().values(), resumed_model.state_dict().values()):
        torch.testing.assert_close(a, b)
    assert resumed.test == full.test and resumed.best_epoch == full.best_epoch
    assert [r["epoch"] for r in part.read_metrics()] == list(range(12))


def test_trainer_stops_on_non_finite_loss_and_keeps_last_good_checkpoint(tmp_path):
    run_dir = RunDir(tmp_path)
    dataset = two_communities()
    task = NodeTask(dataset, split_index=0, device=CPU)
    model = build_model_for(MPNNConfig(name="gcn", hidden_channels=8), dataset, task.out_channels)
    calls = {"n": 0}
    original = task.training_step

    def exploding(model, batch):
        calls["n"] += 1
        loss = original(model, batch)
        return loss * math.inf if calls["n"] == 4 else loss

    task.training_step = exploding
    trainer = Trainer(optim=OptimConfig(), epochs=10, run_dir=run_dir, device=CPU, progress=False)
    with pytest.raises(TrainingError, match=r"loss is inf at epoch 3 .*last good checkpoint"):
        trainer.fit(model, task, seed=0, split=0)
    assert ckpt.load(run_dir.last)["epoch"] == 2


def test_trainer_early_stopping_honours_patience(tmp_path):
    result, _ = _fit(RunDir(tmp_path), epochs=200, patience=5)
    assert result.epochs_run == result.best_epoch + 1 + 5


def test_run_dir_unwritable_gives_training_error(tmp_path):
    target = tmp_path / "file"
    target.write_text("not a directory")
    with pytest.raises(TrainingError, match="is not writable"):
        RunDir(target / "run")


def test_cosine_schedule_warms_up_then_decays():
    param = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.Adam([param], lr=1.0)
    sched = build_scheduler(opt, OptimConfig(lr=1.0, scheduler="cosine", warmup_epochs=4), 14, True)
    lrs = []
    for _ in range(14):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    assert lrs[:5] == pytest.approx([0.2, 0.4, 0.6, 0.8, 1.0])
    assert all(a >= b for a, b in zip(lrs[4:], lrs[5:])) and lrs[-1] < 0.05


def test_checkpoint_rng_state_round_trip(tmp_path):
    ckpt.seed_everything(3)
    state = ckpt.rng_state()
    ckpt.save_atomic({"rng": state}, tmp_path / "s.pt")
    expected = (torch.rand(3), np.random.rand(2).tolist(), random.random())
    ckpt.set_rng_state(ckpt.load(tmp_path / "s.pt")["rng"])
    got = (torch.rand(3), np.random.rand(2).tolist(), random.random())
    torch.testing.assert_close(expected[0], got[0])
    assert expected[1:] == got[1:]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.pt"]  # no temp file left


class _Killed(BaseException):
    """Stands in for a SIGKILL: not an Exception, nothing handles it."""


@pytest.mark.parametrize("where", ["metrics_append", "last_write"])
def test_trainer_kill_around_checkpoint_write_logs_every_epoch_once(tmp_path, monkeypatch, where):
    run_dir = RunDir(tmp_path)
    if where == "metrics_append":  # the kill lands while the epoch-3 row is being appended
        original = RunDir.append_metrics

        def append(self, row):
            if row["epoch"] == 3:
                raise _Killed
            original(self, row)

        monkeypatch.setattr(RunDir, "append_metrics", append)
    else:  # the kill lands while epoch 3's last.pt is being written
        original = ckpt.save_atomic

        def save(obj, path):
            if path.name == "last.pt" and obj.get("epoch") == 3:
                raise _Killed
            original(obj, path)

        monkeypatch.setattr(ckpt, "save_atomic", save)
    with pytest.raises(_Killed):
        _fit(run_dir, epochs=6)
    monkeypatch.undo()
    _fit(run_dir, epochs=6, resume=True)
    assert [r["epoch"] for r in run_dir.read_metrics()] == list(range(6))


def test_run_dir_truncate_metrics_drops_rows_after_checkpoint_and_duplicates(tmp_path):
    run_dir = RunDir(tmp_path)
    for seed, epoch in [(0, 0), (0, 1), (0, 1), (1, 0), (1, 1), (1, 2)]:
        run_dir.append_metrics({"seed": seed, "split": 0, "epoch": epoch})
    run_dir.truncate_metrics(1, 0, 0)
    assert [(r["seed"], r["epoch"]) for r in run_dir.read_metrics()] == [(0, 0), (0, 1), (1, 0)]
    run_dir.truncate_metrics(1, 0, -1)  # resumed before seed 1 wrote a checkpoint
    assert [(r["seed"], r["epoch"]) for r in run_dir.read_metrics()] == [(0, 0), (0, 1)]


def test_run_dir_remove_partial_writes_deletes_only_temp_files(tmp_path):
    run_dir = RunDir(tmp_path)
    ckpt.save_atomic({"x": 1}, run_dir.last)
    leftovers = [run_dir.checkpoints / ".last.pt.k2j3.tmp", tmp_path / ".metrics.jsonl.ab12.tmp"]
    for path in leftovers:
        path.write_bytes(b"partial")
    assert sorted(run_dir.remove_partial_writes()) == sorted(leftovers)
    assert not any(p.exists() for p in leftovers) and run_dir.last.is_file()


def test_run_dir_without_create_makes_nothing(tmp_path):
    run_dir = RunDir(tmp_path / "elsewhere", create=False)
    assert not run_dir.is_run()
    with pytest.raises(TrainingError, match="not a run directory"):
        run_dir.read_config()
    assert not (tmp_path / "elsewhere").exists()


def test_trainer_resume_with_corrupt_last_checkpoint_is_training_error(tmp_path):
    run_dir = RunDir(tmp_path)
    _fit(run_dir, epochs=3)
    run_dir.last.write_bytes(run_dir.last.read_bytes()[:200])
    with pytest.raises(TrainingError, match=r"last\.pt is corrupt or truncated .*delete it and --resume again"):
        _fit(run_dir, epochs=5, resume=True)


def test_trainer_resume_with_truncated_best_checkpoint_fails_before_training(tmp_path):
    run_dir = RunDir(tmp_path)
    _fit(run_dir, epochs=3)
    run_dir.best.write_bytes(run_dir.best.read_bytes()[:300])
    rows = len(run_dir.read_metrics())
    with pytest.raises(TrainingError, match=r"best\.pt is corrupt or truncated .*delete it and last\.pt"):
        _fit(run_dir, epochs=5, resume=True)
    assert len(run_dir.read_metrics()) == rows  # no epoch was run on a run that cannot finish
