import subprocess
import sys

from graphkit.tracking.wandb_tracker import WandbTracker


def test_wandb_disabled_never_imports_wandb(tmp_path):
    code = (
        "import sys\n"
        "from graphkit.tracking.wandb_tracker import WandbTracker\n"
        f"t = WandbTracker(mode='disabled', project='p', run_dir={str(tmp_path)!r}, name='n', group='g')\n"
        "t.log({'epoch': 0, 'seed': 0, 'split': 0, 'loss': 1.0}); t.finish()\n"
        "import graphkit.trainers.experiment\n"
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
