"""Plugins from outside the package: a model file and the example dataset family train
through ``plugins:``, the run records them, ``eval`` re-imports them and refuses a changed
or missing file in one line; registries name plugin entries in their errors."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
import yaml

import graphkit
from graphkit.cli.main import main
from graphkit.config import PluginRef, RunConfig
from graphkit.errors import PluginError
from graphkit.models import MODELS
from graphkit.plugins import load_plugin
from graphkit.runs.config_loading import load_config

REPO = Path(__file__).resolve().parents[1]
FAMILY = REPO / "examples" / "custom_dataset_family.py"
MODEL_PLUGIN = textwrap.dedent('''
    """A two-layer MLP registered from outside graphkit (test plugin)."""
    from dataclasses import dataclass

    from torch import nn

    from graphkit.config import ModelConfig
    from graphkit.plugins import register_model


    @dataclass(frozen=True)
    class PluginMLPConfig(ModelConfig):
        hidden_channels: int = 8


    class PluginMLP(nn.Module):
        def __init__(self, in_channels, hidden_channels, out_channels):
            super().__init__()
            self.net = nn.Sequential(nn.Linear(in_channels, hidden_channels), nn.ReLU(),
                                     nn.Linear(hidden_channels, out_channels))

        def forward(self, data):
            return self.net(data.x)


    @register_model("plugin_mlp", PluginMLPConfig, levels=("node",))
    def build_plugin_mlp(cfg, inputs):
        return PluginMLP(inputs.num_features, cfg.hidden_channels, inputs.out_channels)
''')


@pytest.fixture(scope="module")
def plugin_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("plugins")
    (folder / "plugin_mlp.py").write_text(MODEL_PLUGIN)
    (folder / "run.yaml").write_text(yaml.safe_dump({
        "plugins": ["./plugin_mlp.py", str(FAMILY)],
        "data": {"name": "sbm:3x20", "split": "default"},
        "model": {"name": "plugin_mlp", "hidden_channels": 8},
        "optim": {"lr": 0.05},
        "trainer": {"epochs": 3, "quiet": True},
    }))
    return folder


@pytest.fixture(scope="module")
def trained(plugin_dir: Path) -> Path:
    run = plugin_dir / "run"
    assert main(["train", str(plugin_dir / "run.yaml"), "--run-dir", str(run), "--quiet"]) == 0
    return run


def test_plugin_run_records_each_plugin_with_its_sha256(trained: Path, plugin_dir: Path):
    recorded = yaml.safe_load((trained / "config.yaml").read_text())["plugins"]
    assert [Path(p["file"]).name for p in recorded] == ["plugin_mlp.py", "custom_dataset_family.py"]
    assert all(len(p["sha256"]) == 64 for p in recorded)
    assert recorded[0]["file"] == str((plugin_dir / "plugin_mlp.py").resolve())  # found beside the YAML
    results = json.loads((trained / "results.json").read_text())
    assert results["model"] == "plugin_mlp" and results["dataset"] == "sbm:3x20"


def test_plugin_run_reevaluates_to_the_same_numbers(trained: Path):
    assert main(["eval", str(trained)]) == 0
    again = json.loads((trained / "eval.json").read_text())["test"]["accuracy"]["mean"]
    assert again == json.loads((trained / "results.json").read_text())["test"]["accuracy"]["mean"]


def test_edited_or_missing_plugin_file_is_one_line_naming_it(trained: Path, plugin_dir: Path, capsys):
    path = plugin_dir / "plugin_mlp.py"
    original = path.read_text()
    try:
        path.write_text(original + "\n# edited\n")
        assert main(["eval", str(trained)]) == 2
        err = capsys.readouterr().err.strip()
        assert err.count("\n") == 0 and "plugin ./plugin_mlp.py" in err and "changed since the run" in err
        path.unlink()
        assert main(["eval", str(trained)]) == 2
        err = capsys.readouterr().err.strip()
        assert err.count("\n") == 0 and "not found" in err and "plugin_mlp.py" in err
    finally:
        path.write_text(original)


def test_unknown_model_lists_plugin_entries(trained: Path):
    with pytest.raises(Exception, match="plugin_mlp"):
        load_config(RunConfig, {"data": {"name": "cora"}, "model": {"name": "nope"}})


def test_unknown_dataset_names_plugin_family(trained: Path, capsys):
    assert main(["data", "info", "nope:1", "--plugin", str(FAMILY)]) == 2
    assert "sbm:<blocks>x<size>" in capsys.readouterr().err


def test_a_module_plugin_that_does_not_import_is_one_line():
    with pytest.raises(PluginError, match="cannot import"):
        load_plugin("graphkit_no_such_plugin_module")
    with pytest.raises(PluginError, match="changed since the run"):
        load_plugin(PluginRef(spec=str(FAMILY), file=str(FAMILY), sha256="0" * 64))


def test_python_api_trains_and_reloads_through_plugins(plugin_dir: Path, trained: Path, tmp_path: Path):
    result = graphkit.train(plugin_dir / "run.yaml", overrides=["trainer.epochs=2"], run_dir=tmp_path / "api")
    assert result.run_dir == tmp_path / "api" and "accuracy" in result.test
    assert MODELS.get("plugin_mlp").levels == ("node",)
    run = graphkit.load_run(result.run_dir)
    assert type(run.model).__name__ == "PluginMLP" and run.dataset.name == "sbm:3x20"


def test_pretrain_runs_a_plugin_pretraining_task_and_refuses_others(tmp_path: Path, capsys):
    example = REPO / "examples" / "custom_pretraining_task.py"
    args = ["--plugin", str(FAMILY), "--plugin", str(example), "data.name=sbm:2x15", "data.split=default",
            "trainer.epochs=2", "--quiet"]
    cfg = str(REPO / "configs" / "gcn" / "cora.yaml")
    assert main(["pretrain", cfg, "task.name=masked_features", "task.metric=cosine_error",
                 "--run-dir", str(tmp_path / "mf"), *args]) == 0
    results = json.loads((tmp_path / "mf" / "results.json").read_text())
    assert results["task"] == "masked_features" and results["metric"] == "cosine_error"
    assert 0.0 <= results["test"]["cosine_error"]["mean"] <= 2.0
    assert main(["pretrain", cfg, "--run-dir", str(tmp_path / "nc"), *args]) == 2
    assert "pretraining task" in capsys.readouterr().err and not (tmp_path / "nc").exists()


def test_readme_plugin_example_trains_as_written(tmp_path: Path, monkeypatch, mirror):
    readme = (REPO / "README.md").read_text()
    block = readme.split("```python\n# my_model.py: ")[1].split("```")[0]
    command = block.splitlines()[0]  # graphkit train ... (the comment's command)
    source = "\n".join(block.splitlines()[1:])
    (tmp_path / "my_model.py").write_text(source)
    monkeypatch.chdir(tmp_path)
    assert command.startswith("graphkit train configs/gcn/cora.yaml --plugin my_model.py ")
    override = command.split("--plugin my_model.py ")[1].strip("'")
    assert main(["train", str(REPO / "configs/gcn/cora.yaml"), "--plugin", "my_model.py", override,
                 "trainer.epochs=3", "--run-dir", str(tmp_path / "run"), "--quiet"]) == 0
    results = json.loads((tmp_path / "run" / "results.json").read_text())
    assert results["model"] == "my_mlp" and results["dataset"] == "cora"


def test_every_table_lists_plugin_entries_for_an_unknown_name(tmp_path: Path, monkeypatch):
    from graphkit.datasets import DATASET_FAMILIES, DATASETS
    from graphkit.errors import UnknownNameError
    from graphkit.nn.attention import GLOBAL_MODELS
    from graphkit.nn.conv import LOCAL_CONVS
    from graphkit.tasks import TASKS
    from graphkit.text import SUMMARIZERS

    for table in (LOCAL_CONVS, GLOBAL_MODELS, TASKS, SUMMARIZERS, DATASET_FAMILIES, DATASETS):
        monkeypatch.setattr(table, "_items", dict(table._items))  # this test's entries go with it
    plugin = tmp_path / "every_table.py"
    plugin.write_text(textwrap.dedent('''
        from torch import nn
        from graphkit.datasets import DatasetSpec
        from graphkit.plugins import (register_dataset, register_dataset_family, register_global_model,
                                      register_local_conv, register_summarizer, register_task)

        register_local_conv("zz_conv")(lambda channels, **kw: nn.Linear(channels, channels))
        register_global_model("zz_mixer")(lambda channels, **kw: nn.Linear(channels, channels))
        register_task("zz_task")(lambda cfg, dataset, ctx: None)
        register_summarizer("zz_summary")(lambda path=None, **kw: None)
        register_dataset_family("zzfam", example="zzfam:1", description="test")(lambda m, a, c: None)
        register_dataset(DatasetSpec(name="zz_data", task="node_classification", metric="accuracy",
                                     source="test", citation="", description="test", files=(),
                                     loader=lambda ctx: None))
    '''))
    load_plugin(str(plugin))
    for table, name in ((LOCAL_CONVS, "zz_conv"), (GLOBAL_MODELS, "zz_mixer"), (TASKS, "zz_task"),
                        (SUMMARIZERS, "zz_summary"), (DATASET_FAMILIES, "zzfam"), (DATASETS, "zz_data"),
                        (MODELS, "plugin_mlp")):
        if name == "plugin_mlp" and name not in MODELS:
            continue  # registered by the module fixture when those tests ran first
        with pytest.raises(UnknownNameError, match=name):
            table.get("no_such_name")
    with pytest.raises(ValueError, match="zz_conv"):
        from graphkit.models.graph_gps import GraphGPSConfig

        GraphGPSConfig(name="gps", local_conv="nope")
