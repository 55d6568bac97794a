import pytest

from graphkit.config import from_dict
from graphkit.errors import ConfigError
from graphkit.pretrain.gcl.gcl_task_config import GCLTaskConfig


def test_gcl_task_config_reads_pot_section():
    cfg = from_dict(GCLTaskConfig, {"name": "gca", "pot": {"weight": 0.3, "edge_drop": [0.2, 0.1]}}, "task")
    assert cfg.pot.weight == 0.3 and cfg.pot.edge_drop == (0.2, 0.1)
    assert cfg.pot.score == "view" and cfg.probe_normalize
    cfg = from_dict(GCLTaskConfig, {"name": "grace", "pot": {"weight": 0.4, "score": "certified"},
                                    "probe_normalize": False}, "task")
    assert cfg.pot.score == "certified" and not cfg.probe_normalize


@pytest.mark.parametrize("section,needle", [
    ({"pot": {"weight": 1.0}}, "task.pot.weight"),
    ({"pot": {"kappa": 0.3}}, "kappa"),
    ({"pot": {"score": "exact"}}, "score"),
    ({"metric": "accuracy"}, "micro_f1"),
    ({"edge_drop": [0.2, 1.0]}, "task.edge_drop"),
    ({"probe_ratios": [0.5, 0.5]}, "task.probe_ratios"),
    ({"probe_split": "public"}, "probe_split"),
])
def test_gcl_task_config_rejects_bad_values_naming_them(section, needle):
    with pytest.raises((ConfigError, ValueError), match=needle):
        from_dict(GCLTaskConfig, {"name": "grace", **section}, "task")
