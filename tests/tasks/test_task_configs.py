"""Each task's options are typed by its own config class, selected by task.name."""

from pathlib import Path

import pytest

from graphkit.cli.main import main
from graphkit.config import RunConfig, from_dict
from graphkit.errors import ConfigError
from graphkit.tasks import TASKS
from graphkit.tasks.graph_task import GraphTaskConfig
from graphkit.tasks.link_prediction import LinkPredictionTaskConfig
from graphkit.tasks.node_task import NodeTaskConfig

REPO = Path(__file__).resolve().parents[2]


def test_task_section_is_typed_by_the_dataset_task_when_name_is_left_out():
    cfg = from_dict(RunConfig, {"data": {"name": "cora"}, "model": {"name": "gcn"},
                                "task": {"num_neighbors": [5, 5]}})
    assert isinstance(cfg.task, NodeTaskConfig) and cfg.task.name == "node_classification"
    assert cfg.task.num_neighbors == (5, 5)
    graph = from_dict(RunConfig, {"data": {"name": "mutag"}, "model": {"name": "gin"}})
    assert isinstance(graph.task, GraphTaskConfig)
    link = from_dict(RunConfig, {"data": {"name": "cora"}, "model": {"name": "ncn"},
                                 "task": {"name": "link_prediction"}})
    assert isinstance(link.task, LinkPredictionTaskConfig)


@pytest.mark.parametrize("name", sorted(TASKS.names()))
def test_every_task_config_rejects_an_unknown_key_with_the_valid_ones(name):
    with pytest.raises(ConfigError, match=r"task: unknown key 'bogus'; valid keys: .*metric.*name"):
        from_dict(RunConfig, {"data": {"name": "cora"}, "model": {"name": "gcn"},
                              "task": {"name": name, "bogus": 1}})


@pytest.mark.parametrize("argv", [
    [str(REPO / "configs" / "gin" / "mutag.yaml"), "task.num_neighbors=[10,10]"],
    [str(REPO / "configs" / "ncn" / "cora.yaml"), "task.eval_chunk_size=5"],
    [str(REPO / "configs" / "gcn" / "cora.yaml"), "task.num_neighbors=[0]"],
])
def test_cli_rejects_options_a_task_does_not_take_in_one_line(tmp_path, capsys, argv):
    run = tmp_path / "run"
    assert main(["train", *argv, "--run-dir", str(run)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("graphkit: error: task")
