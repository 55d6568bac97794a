from pathlib import Path

import pytest

from graphkit.cli.fewshot import config_from_args
from graphkit.cli.main import build_parser, main
from graphkit.errors import ConfigError
from graphkit.runs.config_loading import load_config
from graphkit.zeroshot.few_shot_config import FewShotConfig

YAML = Path(__file__).resolve().parents[2] / "configs" / "fewshot" / "cora.yaml"


def test_few_shot_config_loads_from_yaml_with_overrides():
    cfg = load_config(FewShotConfig, YAML, ["pretrained='runs/clip'", "shots=[1,3]", "epochs=5"])
    assert cfg.shots == (1, 3) and cfg.seeds == (0, 1, 2, 3, 4) and cfg.epochs == 5
    assert cfg.prompt_lr == 0.001 and cfg.finetune_lr == 1e-5 and cfg.tracking.wandb.mode == "offline"


def test_few_shot_config_rejects_unknown_key_and_bad_values():
    with pytest.raises(ConfigError, match="unknown key 'shot'"):
        load_config(FewShotConfig, {"pretrained": "r", "dataset": "d", "shot": [1]})
    with pytest.raises(ConfigError, match="shots"):
        load_config(FewShotConfig, {"pretrained": "r", "dataset": "d"}, ["shots=[0]"])
    with pytest.raises(ConfigError, match="prompt_lr"):
        load_config(FewShotConfig, {"pretrained": "r", "dataset": "d"}, ["prompt_lr=0"])


def test_few_shot_cli_bad_value_is_one_line(tmp_path, capsys):
    assert main(["fewshot", str(tmp_path), "--dataset", "tag:cora", "--shots", "0"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "shots" in err[0]
    assert not (tmp_path / "fewshot").exists()


def test_few_shot_flags_set_the_same_config_as_yaml_keys(tmp_path):
    flags = build_parser().parse_args([
        "fewshot", "runs/clip", "--dataset", "tag:cora", "--shots", "1,3", "--seeds", "0,1",
        "--second-dataset", "tag:arxiv_2023", "--second-nodes", "40", "--epochs", "5", "--prompt-lr", "0.003",
        "--prompt-basis", "1", "--no-label-prompt", "--finetune-lr", "1e-4", "--probe-c", "0.5",
        "--eval-split", "valid", "--checkpoint", "last", "--quiet"])
    path = tmp_path / "f.yaml"
    path.write_text("pretrained: runs/clip\ndataset: tag:cora\nshots: [1, 3]\nseeds: [0, 1]\n"
                    "second_dataset: tag:arxiv_2023\nsecond_nodes: 40\nepochs: 5\nprompt_lr: 0.003\n"
                    "prompt_basis: 1\nlabel_prompt: false\nfinetune_lr: 1.0e-4\nprobe_c: 0.5\neval_split: valid\n"
                    "checkpoint: last\nquiet: true\n")
    assert config_from_args(flags) == load_config(FewShotConfig, path)
    plain = config_from_args(build_parser().parse_args(["fewshot", "runs/clip", "--dataset", "tag:cora"]))
    assert plain == FewShotConfig(pretrained="runs/clip", dataset="tag:cora")
