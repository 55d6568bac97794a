"""Every YAML under configs/ must load and validate against the typed schema."""

from pathlib import Path

import pytest

from graphkit.config import RunConfig, from_dict, load_yaml
from graphkit.datasets import DATASETS

CONFIGS = sorted((Path(__file__).resolve().parents[1] / "configs").rglob("*.yaml"))


def test_configs_directory_is_not_empty():
    assert len(CONFIGS) >= 5


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_config_loads_and_names_a_registered_dataset(path):
    text = path.read_text()
    assert text.startswith("# graphkit "), f"{path} must start with the command that runs it"
    data = load_yaml(path)
    if "model" not in data:  # non-training configs (heuristics, embeddings) have their own schema
        pytest.skip(f"{path.name} is not a training config")
    cfg = from_dict(RunConfig, data)
    assert cfg.data.name in DATASETS
