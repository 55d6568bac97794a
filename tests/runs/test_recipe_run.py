import json
import os
import subprocess
import sys

import pytest
import yaml

from graphkit.config import TrackingConfig, WandbConfig
from graphkit.errors import TrainingError
from graphkit.linkpred.heuristics_config import HeuristicsConfig
from graphkit.runs.config_loading import load_config
from graphkit.runs.recipe_run import RecipeRun
from graphkit.trainers.run_lock import RunLock

CFG = HeuristicsConfig(dataset="cora", tracking=TrackingConfig(WandbConfig(mode="disabled")))


def test_recipe_run_writes_config_metrics_and_results(tmp_path):
    path = tmp_path / "runs" / "r"
    with RecipeRun(path, CFG, name="r") as run:
        assert yaml.safe_load((path / "config.yaml").read_text())["dataset"] == "cora"
        run.log({"epoch": 0, "loss": 1.0})
        run.log({"epoch": 1, "loss": 0.5})
        run.write_results({"accuracy": 0.9})
    assert [json.loads(line)["loss"] for line in (path / "metrics.jsonl").read_text().splitlines()] == [1.0, 0.5]
    assert json.loads((path / "results.json").read_text()) == {"accuracy": 0.9}
    assert not (path / "checkpoints").exists()  # recipes save no training state


def test_recipe_run_failed_start_leaves_no_directory(tmp_path):
    path = tmp_path / "runs" / "r"
    with pytest.raises(ValueError):
        with RecipeRun(path, CFG, name="r"):
            raise ValueError("dataset not found")
    assert not (tmp_path / "runs").exists()


def test_recipe_run_failure_in_an_existing_folder_restores_its_config(tmp_path):
    (tmp_path / "config.yaml").write_text("earlier: run\n")
    with pytest.raises(ValueError):
        with RecipeRun(tmp_path, CFG, name="r"):
            raise ValueError("bad embedding")
    assert (tmp_path / "config.yaml").read_text() == "earlier: run\n"
    other = tmp_path / "other"
    other.mkdir()
    with pytest.raises(ValueError):
        with RecipeRun(other, CFG, name="r"):
            raise ValueError
    assert list(other.iterdir()) == [other / ".lock"]


def test_recipe_run_refuses_a_directory_in_use(tmp_path):
    tmp_path.joinpath("r").mkdir()
    with RunLock(tmp_path / "r"):
        with pytest.raises(TrainingError, match="in use by pid"):
            with RecipeRun(tmp_path / "r", CFG, name="r"):
                pass


def test_recipe_run_records_plugins_with_their_sha256(tmp_path):
    plugin = tmp_path / "my_plugin.py"
    plugin.write_text("VALUE = 1\n")
    cfg = load_config(HeuristicsConfig, {"dataset": "cora", "plugins": [str(plugin)]},
                      ["tracking.wandb.mode=disabled"])
    with RecipeRun(tmp_path / "r", cfg, name="r") as run:
        run.write_results({})
    (record,) = yaml.safe_load((tmp_path / "r" / "config.yaml").read_text())["plugins"]
    assert record["file"] == str(plugin) and len(record["sha256"]) == 64


def test_recipe_run_disabled_tracking_never_imports_wandb(tmp_path):
    code = (
        "import sys\n"
        "from graphkit.config import TrackingConfig, WandbConfig\n"
        "from graphkit.linkpred.heuristics_config import HeuristicsConfig\n"
        "from graphkit.runs.recipe_run import RecipeRun\n"
        "cfg = HeuristicsConfig(dataset='cora', tracking=TrackingConfig(WandbConfig(mode='disabled')))\n"
        f"with RecipeRun({str(tmp_path / 'r')!r}, cfg, name='r') as run:\n"
        "    run.log({'epoch': 0, 'loss': 1.0}); run.write_results({'a': 1})\n"
        "assert 'wandb' not in sys.modules, 'wandb was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
