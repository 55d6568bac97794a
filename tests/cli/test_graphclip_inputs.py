"""The GraphCLIP commands on a tiny TAG (32 nodes, seconds): the quick config runs end to
end with progress lines in a log, and careless or hostile inputs stop with one line."""

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

from graphkit.cli.main import main
from graphkit.errors import GraphkitWarning

_spec = importlib.util.spec_from_file_location("tiny_tag", Path(__file__).parents[1] / "text" / "tiny_tag.py")
tiny_tag = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tiny_tag)

REPO = Path(__file__).resolve().parents[2]
QUICK = REPO / "configs" / "graphclip" / "quick.yaml"


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory, mirror):
    """A one-epoch pretraining run of the quick config on a tiny TAG, and its stderr (the
    run's ``data.name`` stays the config's registered tag:cora, read from the mirror)."""
    import sys

    root = tmp_path_factory.mktemp("graphclip-inputs")
    tag = tiny_tag.write_tiny_tag(root / "tiny")
    run_dir = root / "run"
    log = root / "pretrain.log"
    argv = ["pretrain", str(QUICK), "--threads", "1", "--run-dir", str(run_dir), "data.name='tag:cora'",
            f"data.sources=[{tag}]", "data.batch_size=8", "trainer.epochs=1", "task.heldout=4",
            "task.steps_per_epoch=2", "model.hidden_channels=16", "model.rwse_channels=8", "tracking.wandb.mode=disabled"]
    with log.open("w") as f:  # a log file, as under nohup: no terminal
        err, sys.stderr = sys.stderr, f
        try:
            code = main(argv)
        finally:
            sys.stderr = err
    assert code == 0, log.read_text()
    return tag, run_dir, log.read_text()


def test_quick_config_pretrains_with_progress_lines_in_a_log(tiny_run):
    tag, run_dir, log = tiny_run
    assert (run_dir / "checkpoints" / "best.pt").is_file() and (run_dir / "results.json").is_file()
    assert "\r" not in log
    name = f"tag:{tag.name}"
    assert f"{name} node texts: 32 texts\n" in log and f"{name} node texts: 32/32 texts done in" in log
    assert f"{name} pairs: sampling 32 subgraphs" in log
    assert f"{name} summaries: 32/32 texts done in" in log
    assert f"{name} pairs: 32 built in" in log and "a stopped or resumed run reuses them" in log


def test_quick_config_runs_zeroshot_and_fewshot(tiny_run, tmp_path, capsys):
    tag, run_dir, _ = tiny_run
    assert main(["zeroshot", str(run_dir), "--dataset", str(tag), "--baselines", "--quiet",
                 "--run-dir", str(tmp_path / "zs"), "tracking.wandb.mode=disabled"]) == 0
    zs = json.loads((tmp_path / "zs" / "results.json").read_text())
    assert zs["num_nodes"] == 8 and 0.0 <= zs["methods"]["graphclip"]["accuracy"] <= 1.0
    assert main(["fewshot", str(run_dir), "--dataset", str(tag), "--shots", "1", "--seeds", "0", "--epochs", "2",
                 "--quiet", "--out", str(tmp_path / "fs"), "tracking.wandb.mode=disabled"]) == 0
    assert json.loads((tmp_path / "fs" / "results.json").read_text())["shots"] == [1]


def _broken(tag: Path, root: Path, name: str, content) -> Path:
    out = root / f"broken-{tag.name}"
    out.mkdir()
    for f in tag.iterdir():
        (out / f.name).write_bytes(f.read_bytes())
    if isinstance(content, np.ndarray):
        np.save(out / name, content, allow_pickle=content.dtype == object)
    elif isinstance(content, bytes):
        (out / name).write_bytes(content)
    else:
        (out / name).write_text(content)
    return out


@pytest.mark.parametrize("name, content, message", [
    ("edge_index.npy", np.array([{"a": 1}, 2], dtype=object), "edge_index.npy: holds pickled data"),
    ("label_names.json", json.dumps(["astronomy", "cooking", "football"]),
     "y.npy: node 24 has class 3; label_names.json names 3 classes, too few"),
    ("raw_texts.json", b'["\xff"]', "raw_texts.json: not UTF-8 text (byte 2 is 0xff)"),
    ("split.json", json.dumps({"train": [0], "test": [40]}), "split.json: split 'test' item 0 is node 40"),
    ("split.json", json.dumps({"train": [0], "test": []}), "split.json: split has an empty 'test' list"),
])
@pytest.mark.parametrize("command", ["zeroshot", "fewshot"])
def test_bad_tag_directory_stops_with_one_line(tiny_run, tmp_path, capsys, command, name, content, message):
    tag, run_dir, _ = tiny_run
    bad = _broken(tag, tmp_path, name, content)
    out = ["--run-dir", str(tmp_path / "out")] if command == "zeroshot" else ["--out", str(tmp_path / "out")]
    assert main([command, str(run_dir), "--dataset", str(bad), "--quiet", *out,
                 "tracking.wandb.mode=disabled"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("graphkit: error: ") and message in err[0], err
    assert str(bad) in err[0]


def test_fewshot_warns_when_shots_exceed_a_class(tiny_run, tmp_path):
    tag, run_dir, _ = tiny_run
    with pytest.warns(GraphkitWarning, match="--shots 50: 4 of 4 classes of tag:tiny have fewer than 50 "
                                             "training nodes") as record:
        assert main(["fewshot", str(run_dir), "--dataset", str(tag), "--shots", "50", "--seeds", "0", "--epochs",
                     "1", "--quiet", "--out", str(tmp_path / "fs"), "tracking.wandb.mode=disabled"]) == 0
    # the CLI prints a GraphkitWarning as one line
    from graphkit.cli.main import _one_line_warning

    w = next(w for w in record if "--shots 50" in str(w.message))
    assert _one_line_warning(w.message, w.category, w.filename, w.lineno).startswith("graphkit: warning: --shots 50")


def test_train_resume_on_a_pretraining_run_names_pretrain_resume(tiny_run, capsys):
    _, run_dir, _ = tiny_run
    before = (run_dir / "results.json").read_text()
    assert main(["train", "--resume", str(run_dir)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"graphkit: error: {run_dir} is a pretraining run (task 'graphclip'): continue it with "
                   f"graphkit pretrain --resume {run_dir}"]
    assert (run_dir / "results.json").read_text() == before


def test_pretraining_stopped_while_building_pairs_continues_from_saved_embeddings(tmp_path, monkeypatch, mirror):
    from graphkit.progress import Progress
    from graphkit.text.text_encoder import TextEncoder

    tag = tiny_tag.write_tiny_tag(tmp_path / "tiny2", per_class=3)
    run_dir = tmp_path / "run"
    monkeypatch.setenv("GRAPHKIT_DATA", str(tmp_path / "data"))
    real_update, real_encode = Progress.update, TextEncoder._encode

    def stop_in_summaries(self, n):
        real_update(self, n)
        if "summaries" in self.desc:
            raise KeyboardInterrupt

    encoded = []

    def recording(self, texts, desc, **kw):
        encoded.append(desc)
        return real_encode(self, texts, desc, **kw)

    monkeypatch.setattr(Progress, "update", stop_in_summaries)
    monkeypatch.setattr(TextEncoder, "_encode", recording)
    argv = ["pretrain", str(QUICK), "--threads", "1", "--quiet", "--run-dir", str(run_dir), "data.name='tag:cora'",
            f"data.sources=[{tag}]", "data.batch_size=8", "trainer.epochs=1", "task.heldout=2",
            "task.steps_per_epoch=1", "model.hidden_channels=16", "model.rwse_channels=8",
            "tracking.wandb.mode=disabled"]
    assert main(argv) == 130
    assert encoded == ["tag:tiny2 node texts", "tag:tiny2 summaries"]
    monkeypatch.setattr(Progress, "update", real_update)
    # nothing was trained, so no run directory is left; the same command continues the set-up
    assert main(argv) == 0
    assert encoded[2:] == ["tag:tiny2 summaries", "label texts"]  # node texts came from the cache
    assert (run_dir / "results.json").is_file()
    encoded.clear()
    again = [*argv[:6], str(tmp_path / "again"), *argv[7:]]
    assert main(again) == 0  # a later run (a resumed one too) reuses the saved pairs: nothing is encoded
    assert encoded == []


def test_zeroshot_runs_on_a_tag_without_edges(tiny_run, tmp_path):
    tag, run_dir, _ = tiny_run
    bare = _broken(tag, tmp_path, "edge_index.npy", np.zeros((2, 0), dtype=np.int64))
    assert main(["zeroshot", str(run_dir), "--dataset", str(bare), "--baselines", "--quiet",
                 "--run-dir", str(tmp_path / "zs"), "tracking.wandb.mode=disabled"]) == 0
    zs = json.loads((tmp_path / "zs" / "results.json").read_text())
    # no neighbours: the propagated text is the node's own text
    assert zs["methods"]["text_2hop_mean"]["accuracy"] == zs["methods"]["text"]["accuracy"]


def test_pretrain_source_with_a_bad_file_stops_with_one_line(tiny_run, tmp_path, capsys):
    tag, _, _ = tiny_run
    bad = _broken(tag, tmp_path, "y.npy", np.array([0.5] * 32))
    assert main(["pretrain", str(QUICK), "--threads", "1", "--quiet", "--run-dir", str(tmp_path / "run"),
                 f"data.sources=[{bad}]", "tracking.wandb.mode=disabled"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"{bad}/y.npy: entry [0] is 0.5 (float64)" in err[0], err
