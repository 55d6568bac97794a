from pathlib import Path

import pytest

from graphkit.config import apply_overrides, from_dict, load_yaml
from graphkit.errors import ConfigError
from graphkit.sparsify.sparsify_config import SparsifyRunConfig

CONFIGS = sorted((Path(__file__).resolve().parents[2] / "configs" / "sparsify").glob("*.yaml"))


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.name)
def test_sparsify_configs_load(path):
    assert path.read_text().startswith("# graphkit sparsify RUN_DIR --config configs/sparsify/")
    cfg = from_dict(SparsifyRunConfig, load_yaml(path))
    assert 0 < cfg.sparsify.target_flops < 1


def test_sparsify_config_rejects_bad_budget_and_unknown_baseline():
    with pytest.raises(ConfigError, match="target_flops"):
        apply_overrides(SparsifyRunConfig, {}, ["sparsify.target_flops=1.5"])
    with pytest.raises(ConfigError, match="unknown method 'oneshot'"):
        apply_overrides(SparsifyRunConfig, {}, ["sparsify.baselines=['oneshot']"])
    with pytest.raises(ConfigError, match="hiden"):
        apply_overrides(SparsifyRunConfig, {}, ["sparsify.hiden=1"])


def test_sparsify_config_takes_tracking_and_plugins(tmp_path):
    from graphkit.runs.config_loading import load_config

    plugin = tmp_path / "my_plugin.py"
    plugin.write_text("VALUE = 1\n")
    cfg = load_config(SparsifyRunConfig, CONFIGS[0], ["tracking.wandb.mode=disabled", f"plugins=[{str(plugin)!r}]"])
    assert cfg.tracking.wandb.mode == "disabled"
    assert cfg.plugins[0].file == str(plugin) and len(cfg.plugins[0].sha256) == 64
    assert from_dict(SparsifyRunConfig, {}).tracking.wandb.mode == "offline"
