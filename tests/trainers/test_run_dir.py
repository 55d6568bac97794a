"""What a resume reads back from a run directory, when a user (or a disk) garbled it."""

import json

import pytest

from graphkit.config import load_yaml
from graphkit.errors import ConfigError, GraphkitWarning, TrainingError
from graphkit.trainers.run_dir import RunDir


def test_completed_garbled_lines_are_trained_again_with_a_warning(tmp_path):
    rd = RunDir(tmp_path / "run")
    good = {"seed": 1, "split": 0, "test": 0.5}
    (rd.path / "completed.jsonl").write_bytes(
        b'{"seed": 0, "spl\n' + json.dumps(good).encode() + b"\n\xff\xfe\n" + b'{"seed": "x", "split": 0}\n5\n')
    with pytest.warns(GraphkitWarning) as caught:
        assert rd.completed() == [good]  # the "x" seed is not a record either
    lines = sorted(str(w.message).split(": line ")[1].split(" ")[0] for w in caught)
    assert lines == ["1", "3"]  # line 5 ("5") is the last: a cut line, dropped silently
    rd.mark_completed({"seed": 2, "split": 0})
    assert [r["seed"] for r in rd.completed()] == [1, 2]


def test_metrics_with_non_utf8_bytes_keep_every_readable_row(tmp_path):
    rd = RunDir(tmp_path / "run")
    rd.append_metrics({"epoch": 0, "seed": 0, "split": 0})
    with open(rd.path / "metrics.jsonl", "ab") as f:
        f.write(b"\xff\xfe garbage\n")
    rd.append_metrics({"epoch": 1, "seed": 0, "split": 0})
    with pytest.warns(GraphkitWarning, match=r"metrics.jsonl: line 2 is not a JSON object"):
        assert [r["epoch"] for r in rd.read_metrics()] == [0, 1]


@pytest.mark.parametrize("text", [b"model: [\n  a: b", b"model:\n  name: gcn\xff\n", b"- 1\n- 2\n"])
def test_unparsable_run_config_is_one_line(tmp_path, text):
    rd = RunDir(tmp_path / "run")
    (rd.path / "config.yaml").write_bytes(text)
    with pytest.raises(TrainingError, match=r"config.yaml (does not parse|holds a list).*restore it") as info:
        rd.read_config()
    assert "\n" not in str(info.value)


def test_garbled_results_json_is_one_line(tmp_path):
    rd = RunDir(tmp_path / "run")
    (rd.path / "results.json").write_text('{"test": ')
    with pytest.raises(TrainingError, match=r"results.json does not parse .*--resume"):
        rd.read_results()


def test_new_config_file_with_non_utf8_bytes_is_one_line(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_bytes(b"model:\n  name: gcn\xff\n")
    with pytest.raises(ConfigError, match=r"c.yaml: is not UTF-8 text \(byte 18: b'\\xff'\); save it as UTF-8"):
        load_yaml(path)
