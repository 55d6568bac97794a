"""The typed recipes of ``graphkit embed fastrp / evaluate / tune``."""

from pathlib import Path

import pytest

from graphkit.cli.embed import evaluate_config, fastrp_config, tune_config
from graphkit.cli.main import build_parser
from graphkit.embed.embed_evaluate_config import EmbedEvaluateConfig
from graphkit.embed.fast_rp_run_config import FastRPRunConfig
from graphkit.embed.fast_rp_tune_config import FastRPTuneConfig
from graphkit.errors import ConfigError
from graphkit.runs.config_loading import load_config

CONFIGS = Path(__file__).resolve().parents[2] / "configs" / "embed"


def _args(*argv: str):
    return build_parser().parse_args(["embed", *argv])


def test_fast_rp_run_config_loads_from_yaml_with_overrides():
    cfg = load_config(FastRPRunConfig, CONFIGS / "blogcatalog.yaml", ["dim=64"])
    assert (cfg.dataset, cfg.preset, cfg.dim, cfg.weights, cfg.beta) == ("blogcatalog", "paper", 64, None, None)


def test_embed_recipe_configs_reject_unknown_keys_and_two_graphs():
    with pytest.raises(ConfigError, match="unknown key 'dims'"):
        load_config(FastRPRunConfig, {"dataset": "blogcatalog", "dims": 8})
    with pytest.raises(ConfigError, match="exactly one of dataset"):
        load_config(FastRPTuneConfig, {"dataset": "blogcatalog", "graph": "g.mat"})
    with pytest.raises(ConfigError, match="exactly one of dataset"):
        load_config(EmbedEvaluateConfig, {"embedding": "e.npy"})
    with pytest.raises(ConfigError, match="objective"):
        load_config(FastRPTuneConfig, {"dataset": "blogcatalog"}, ["objective=f1"])


def test_fast_rp_flags_set_the_same_config_as_yaml_keys():
    flags = fastrp_config(_args("fastrp", "--graph", "g.mat", "--preset", "paper", "--dim", "16", "--weights",
                                "0,1,2", "--beta", "-0.5", "--projection", "gaussian", "--no-l2-normalize",
                                "--self-influence", "0.5", "--property-ratio", "0.25", "--dtype", "float64",
                                "--seed", "3", "--out", "e.npy"))
    assert flags == load_config(FastRPRunConfig, {
        "graph": "g.mat", "preset": "paper", "dim": 16, "weights": [0.0, 1.0, 2.0], "beta": -0.5,
        "projection": "gaussian", "l2_normalize": False, "self_influence": 0.5, "property_ratio": 0.25,
        "dtype": "float64", "seed": 3})
    assert fastrp_config(_args("fastrp", "--graph", "g.mat", "--out", "e.npy")) == FastRPRunConfig(graph="g.mat")


def test_evaluate_and_tune_flags_set_the_same_config_as_yaml_keys(tmp_path):
    flags = evaluate_config(_args("evaluate", "--embedding", "e.npy", "--dataset", "blogcatalog", "--ratios",
                                  "0.1,0.5", "--shuffles", "2", "--preset", "paper", "--C", "0.5",
                                  "--no-standardize", "--jobs", "1", "--quiet", "--seed", "4"))
    assert flags == load_config(EmbedEvaluateConfig, {
        "embedding": "e.npy", "dataset": "blogcatalog", "ratios": [0.1, 0.5], "shuffles": 2, "preset": "paper",
        "C": 0.5, "standardize": False, "jobs": 1, "quiet": True, "seed": 4})
    path = tmp_path / "t.yaml"
    path.write_text("graph: g.mat\ntrials: 3\n")
    tuned = tune_config(_args("tune", "--config", str(path), "--dim", "8", "objective=micro_f1"))
    assert tuned == FastRPTuneConfig(graph="g.mat", trials=3, dim=8, objective="micro_f1")
