from pathlib import Path

import pytest

from graphkit.cli.lp import heuristics_config
from graphkit.cli.main import build_parser, main
from graphkit.errors import ConfigError
from graphkit.linkpred.heuristics_config import HeuristicsConfig
from graphkit.runs.config_loading import load_config

CONFIGS = Path(__file__).resolve().parents[2] / "configs" / "heuristics"


def test_heuristics_config_loads_from_yaml_with_overrides():
    cfg = load_config(HeuristicsConfig, CONFIGS / "cora.yaml", ["seeds=[0, 1]", "tracking.wandb.mode=disabled"])
    assert cfg.dataset == "cora" and cfg.heuristics == ("cn", "aa", "ra") and cfg.seeds == (0, 1)
    assert cfg.metric == "hits@100" and cfg.tracking.wandb.mode == "disabled"


def test_heuristics_config_rejects_unknown_key_and_heuristic():
    with pytest.raises(ConfigError, match="unknown key 'seed'"):
        load_config(HeuristicsConfig, {"dataset": "cora", "seed": 0})
    with pytest.raises(ConfigError, match="unknown heuristic 'katz'; valid: cn, aa, ra"):
        load_config(HeuristicsConfig, {"dataset": "cora", "heuristics": ["katz"]})


def test_heuristics_cli_unknown_key_is_one_line(tmp_path, capsys):
    cfg = tmp_path / "h.yaml"
    cfg.write_text("dataset: cora\nmetrics: hits@20\n")
    assert main(["lp", "heuristics", str(cfg), "--runs-root", str(tmp_path / "runs")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "unknown key 'metrics'" in err[0]
    assert not (tmp_path / "runs").exists()


def test_heuristics_flags_set_the_same_config_as_yaml_keys(tmp_path):
    path = tmp_path / "h.yaml"
    path.write_text("heuristics: [cn]\n")
    flags = heuristics_config(build_parser().parse_args(
        ["lp", "heuristics", str(path), "--dataset", "citeseer", "--seeds", "1,2"]))
    assert flags == load_config(HeuristicsConfig, {"dataset": "citeseer", "heuristics": ["cn"], "seeds": [1, 2]})
    # no file at all: keys as overrides
    assert heuristics_config(build_parser().parse_args(["lp", "heuristics", "dataset=cora"])).dataset == "cora"
