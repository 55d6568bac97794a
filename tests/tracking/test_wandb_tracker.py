import subprocess
import sys

from graphkit.tracking.wandb_tracker import WandbTracker


def test_wandb_disabled_never_imports_wandb(tmp_path):
    code = (
        "import sys\n"
        "from graphkit.tracking.wandb_tracker import WandbTracker\n"
        f"t = WandbTracker(mode='disabled', project='p', run_dir={str(tmp_path)!r}, name='n', group='g')\n"
        "t.log({'epoch': 0, 'seed': 0, 'split': 0, 'loss': 1.0}); t.finish()\n"
        "import graphkit.runs.experiment\n"
        "assert 'wandb' not in sys.modules, 'wandb was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_wandb_offline_writes_local_run_without_network(tmp_path):
    tracker = WandbTracker(mode="offline", project="graphkit-test", run_dir=tmp_path, name="n",
                           group="g", tags=("t",), config={"a": 1})
    assert tracker.run is not None
    for epoch in range(3):
        tracker.log({"epoch": epoch, "seed": 0, "split": 0, "train_loss": 1.0 / (epoch + 1)})
    tracker.summary({"status": "finished"})
    tracker.finish()
    runs = list((tmp_path / "wandb").glob("offline-run-*"))
    assert len(runs) == 1 and any(runs[0].glob("*.wandb"))


def test_wandb_online_failure_falls_back_to_offline_once_per_process(tmp_path, monkeypatch):
    import warnings

    import pytest
    import wandb

    modes = []

    class _Run:
        def finish(self):
            pass

    def init(*args, mode, **kwargs):
        modes.append(mode)
        if mode == "online":
            raise wandb.errors.CommError("timed out after 30 s")  # what an unreachable server gives
        return _Run()

    monkeypatch.setattr(wandb, "init", init)
    monkeypatch.setattr(WandbTracker, "_online_failed", None)
    with pytest.warns(UserWarning, match="falling back to offline for the rest of this process"):
        first = WandbTracker(mode="online", project="p", run_dir=tmp_path, name="s0", group="g")
    first.finish()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no second warning, no second online attempt
        for seed in (1, 2):
            tracker = WandbTracker(mode="online", project="p", run_dir=tmp_path, name=f"s{seed}", group="g")
            assert tracker.run is not None
            tracker.finish()
    assert modes == ["online", "offline", "offline", "offline"]
