from pathlib import Path

import pytest

from graphkit.cli.main import build_parser, main
from graphkit.cli.zeroshot import config_from_args
from graphkit.errors import ConfigError
from graphkit.runs.config_loading import load_config
from graphkit.zeroshot.zero_shot_config import ZeroShotConfig

YAML = Path(__file__).resolve().parents[2] / "configs" / "zeroshot" / "cora.yaml"


def test_zero_shot_config_loads_from_yaml_with_overrides():
    cfg = load_config(ZeroShotConfig, YAML, ["pretrained='runs/clip'", "hops=3", "tracking.wandb.mode=disabled"])
    assert (cfg.dataset, cfg.split, cfg.baselines, cfg.hops) == ("tag:cora", "all", True, 3)
    assert cfg.tracking.wandb.mode == "disabled" and cfg.plugins == ()


def test_zero_shot_config_rejects_unknown_key_and_bad_values():
    with pytest.raises(ConfigError, match="unknown key 'hopz'"):
        load_config(ZeroShotConfig, {"pretrained": "r", "dataset": "d", "hopz": 3})
    with pytest.raises(ConfigError, match="hops"):
        load_config(ZeroShotConfig, {"pretrained": "r", "dataset": "d"}, ["hops=0"])
    with pytest.raises(ConfigError, match="split"):
        load_config(ZeroShotConfig, {"pretrained": "r", "dataset": "d"}, ["split=valid"])


def test_zero_shot_cli_unknown_key_is_one_line(tmp_path, capsys):
    assert main(["zeroshot", str(tmp_path), "--dataset", "tag:cora", "hopz=3"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "unknown key 'hopz'" in err[0]
    assert not (tmp_path / "zeroshot").exists()


def test_zero_shot_flags_set_the_same_config_as_yaml_keys(tmp_path):
    flags = build_parser().parse_args([
        "zeroshot", "runs/clip", "--dataset", "tag:cora", "--split", "all", "--baselines", "--subtract-mean",
        "--hops", "3", "--text-prior", "0.5", "--template", "a paper on {c}", "--checkpoint", "last",
        "--device", "cpu", "--quiet"])
    path = tmp_path / "z.yaml"
    path.write_text("pretrained: runs/clip\ndataset: tag:cora\nsplit: all\nbaselines: true\nsubtract_mean: true\n"
                    "hops: 3\ntext_prior: 0.5\ntemplate: 'a paper on {c}'\ncheckpoint: last\ndevice: cpu\nquiet: true\n")
    assert config_from_args(flags) == load_config(ZeroShotConfig, path)
    # without flags, the defaults are today's
    plain = config_from_args(build_parser().parse_args(["zeroshot", "runs/clip", "--dataset", "tag:cora"]))
    assert plain == ZeroShotConfig(pretrained="runs/clip", dataset="tag:cora")
    assert (plain.split, plain.hops, plain.text_prior, plain.checkpoint) == ("test", 2, 1.0, "best")


def test_zero_shot_config_file_with_overrides_after_it(tmp_path):
    path = tmp_path / "z.yaml"
    path.write_text("pretrained: runs/clip\ndataset: tag:cora\n")
    args = build_parser().parse_args(["zeroshot", "--config", str(path), "hops=4"])
    cfg = config_from_args(args)
    assert cfg.hops == 4 and cfg.pretrained == "runs/clip"
    # a flag wins over the file
    assert config_from_args(build_parser().parse_args(["zeroshot", "--config", str(path), "--hops", "5"])).hops == 5


@pytest.mark.parametrize("value, message", [
    ("nan", "text_prior: expected a finite number, got 'nan'"),
    ("inf", "text_prior: expected a finite number, got 'inf'"),
    ("-inf", "text_prior: expected a finite number, got '-inf'"),
    ("-1", "text_prior (--text-prior) must be >= 0, got -1.0"),
])
def test_zero_shot_cli_refuses_a_meaningless_text_prior(tmp_path, capsys, value, message):
    assert main(["zeroshot", str(tmp_path), "--dataset", "tag:cora", f"--text-prior={value}"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0]
    assert not (tmp_path / "zeroshot").exists()


def test_zero_shot_cli_reads_targets_and_class_texts():
    args = build_parser().parse_args(["zeroshot", "runs/clip", "--targets", "tag:cora, tag:dblp", "--class-texts",
                                      "descriptions", "--class-descriptions", "d.csv"])
    cfg = config_from_args(args)
    assert cfg.dataset is None and cfg.targets == ("tag:cora", "tag:dblp")
    assert (cfg.class_texts, cfg.class_descriptions) == ("descriptions", "d.csv")
    with pytest.raises(ConfigError, match="either dataset .* or targets"):
        load_config(ZeroShotConfig, {"pretrained": "r", "dataset": "d", "targets": ["a"]})
    with pytest.raises(ConfigError, match="class_texts"):
        load_config(ZeroShotConfig, {"pretrained": "r", "class_texts": "titles"})
