"""Bring-your-own data and dataset families through the CLI: load, train 2 epochs, evaluate."""

import json
from pathlib import Path

import pytest

from graphkit.cli.main import main
from tests.datasets.own_data_helpers import (write_edge_list_folder, write_saved_graphs, write_tu_folder,
                                             write_tu_zip)

REPO = Path(__file__).resolve().parents[2]
GIN = str(REPO / "configs" / "gin" / "mutag.yaml")
GCN = str(REPO / "configs" / "gcn" / "cora.yaml")
FAST = ["tracking.wandb.mode=disabled", "trainer.epochs=2", "--quiet", "--threads", "1"]


def _train(config: str, name: Path, run: Path, *extra: str) -> dict:
    """Trains, then re-evaluates the best checkpoints with `graphkit eval`, which reloads
    the data from the run's config: the reloaded test metric must match training's."""
    argv = ["train", config, f"data.name={str(name)!r}", "--run-dir", str(run), *extra, *FAST]
    assert main(argv) == 0
    results = json.loads((run / "results.json").read_text())
    assert main(["eval", str(run)]) == 0
    evaluated = json.loads((run / "eval.json").read_text())
    metric = results["metric"]
    assert evaluated["test"][metric]["mean"] == pytest.approx(results["test"][metric]["mean"], abs=1e-6)
    return results


@pytest.mark.parametrize("kind", ["tu_folder", "tu_zip", "saved_graphs"])
def test_train_cli_on_own_graph_level_data(kind, tmp_path, capsys):
    path = {"tu_folder": lambda: write_tu_folder(tmp_path / "tiny"),
            "tu_zip": lambda: write_tu_zip(tmp_path / "tiny.zip"),
            "saved_graphs": lambda: write_saved_graphs(tmp_path / "graphs.pt")}[kind]()
    results = _train(GIN, path, tmp_path / "run", "data.splits=[0,1]", "model.hidden_channels=8")
    assert results["metric"] == "accuracy"
    per_split = results["test"]["accuracy"]["per_seed"]
    assert len(per_split) == 2 and all(0.0 <= a <= 1.0 for a in per_split)
    assert "own:" in capsys.readouterr().out


def test_train_cli_on_own_edge_list_folder_uses_given_split(tmp_path, capsys):
    folder = write_edge_list_folder(tmp_path / "graph")
    results = _train(GCN, folder, tmp_path / "run", "data.split=default", "data.normalize_features=false")
    assert results["metric"] == "accuracy"
    acc = results["test"]["accuracy"]["mean"]
    assert acc * 4 == pytest.approx(round(acc * 4))  # 4 test nodes in split.csv


def test_train_cli_saved_graphs_metadata_task_and_split(tmp_path):
    # the metadata file's task overrides the inferred classification; its split is the given one
    meta = "task: graph_regression\nmetric: mae\nsplits: {train: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], " \
           "valid: [12, 13, 14, 15], test: [16, 17, 18, 19]}\n"
    path = write_saved_graphs(tmp_path / "graphs.pt", meta)
    results = _train(GIN, path, tmp_path / "run", "model.hidden_channels=8", "task.metric=null")
    assert results["metric"] == "mae"


def test_data_list_all_shows_families_and_own_data(capsys):
    assert main(["data", "list", "--all"]) == 0
    out = capsys.readouterr().out
    for pattern in ("tu:<NAME>", "ogb:<name>", "pyg:<module.Class>", "<file.pt>", "edges.csv"):
        assert pattern in out
    assert main(["data", "list"]) == 0
    assert "tu:<NAME>" not in capsys.readouterr().out


def _error(argv: list[str], capsys) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("graphkit: error: ") and "\n" not in err
    return err


def test_data_cli_bad_own_data_is_one_line_error_naming_file(tmp_path, capsys):
    assert "no-such-folder: not found; expected a TU-format folder" in _error(
        ["data", "info", str(tmp_path / "no-such-folder")], capsys)
    folder = write_edge_list_folder(tmp_path / "graph")
    (folder / "features.csv").write_text("1.0,0.5\n" * 9)  # one row short
    err = _error(["data", "info", str(folder)], capsys)
    assert "features.csv: has 9 rows; expected one per node: 10" in err
    tu = write_tu_folder(tmp_path / "tu")
    (tu / "TINY_graph_labels.txt").write_text("1\n-1\n")
    err = _error(["data", "info", str(tu)], capsys)
    assert "TINY_graph_labels.txt has 2 rows; expected one per graph: 20" in err
    (tu / "TINY_graph_indicator.txt").unlink()
    assert "TINY_graph_indicator.txt not found" in _error(["data", "info", str(tu)], capsys)
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "neither a TU-format folder" in _error(["data", "info", str(empty)], capsys)


def test_data_cli_unknown_family_member_is_one_line_error(tmp_path, capsys):
    mirror = tmp_path / "mirror"
    (mirror / "tu").mkdir(parents=True)
    err = _error(["data", "info", "tu:NO_SUCH", "--mirror", str(mirror), "--root", str(tmp_path / "d")], capsys)
    assert "mirror file not found" in err and "tu/NO_SUCH.zip" in err
    assert "unknown OGB dataset 'ogbg-nope'" in _error(["data", "info", "ogb:ogbg-nope"], capsys)
    assert "no PyG Dataset class 'Nope'" in _error(["data", "info", "pyg:torch_geometric.datasets.Nope"], capsys)
    err = _error(["data", "info", "nci109"], capsys)
    assert err.startswith("graphkit: error: unknown dataset 'nci109'") and "tu:<NAME>" in err


def test_data_info_says_pinned_or_trusted_on_first_use(tmp_path, capsys):
    mirror = tmp_path / "mirror"
    (mirror / "tu").mkdir(parents=True)
    write_tu_zip(mirror / "tu" / "TINY.zip")
    argv = ["data", "info", "tu:TINY", "--mirror", str(mirror), "--root", str(tmp_path / "data")]
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert "trusting it on first use" in captured.err
    files = next(line for line in captured.out.splitlines() if line.startswith("files"))
    assert "trusted on first use: tu/TINY.zip sha256" in files
    assert main(argv) == 0 and "trusting" not in capsys.readouterr().err  # recorded once
    (mirror / "tu" / "TINY.zip").write_bytes(b"not the trusted zip")
    err = _error(argv, capsys)
    assert "TINY.zip changed since it was first trusted" in err
    assert main(["data", "info", str(write_tu_folder(tmp_path / "own"))]) == 0
    assert "your own files, read in place" in capsys.readouterr().out


def test_own_data_example_from_the_docs_runs_as_written(tmp_path, monkeypatch, capsys):
    """docs/datasets.md: ``graphkit train configs/gcn/cora.yaml data.name=./my_graph/``."""
    assert "graphkit train configs/gcn/cora.yaml data.name=./my_graph/" in (REPO / "docs/datasets.md").read_text()
    folder = tmp_path / "my_graph"  # 40 nodes on a ring, 2 classes, no features: 10 folds fit
    folder.mkdir()
    (folder / "edges.csv").write_text("source,target\n" + "".join(f"{i},{(i + 1) % 40}\n" for i in range(40)))
    (folder / "labels.csv").write_text("".join(f"{i % 2}\n" for i in range(40)))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GRAPHKIT_DATA", str(tmp_path / "data"))
    assert main(["train", str(REPO / "configs/gcn/cora.yaml"), "data.name=./my_graph/",
                 "tracking.wandb.mode=disabled", "trainer.epochs=3"]) == 0
    out = capsys.readouterr().out
    assert "data.split=public comes from the config's own dataset" in out  # cora.yaml's split
    assert "runs split 0 of the 10 cv10 splits of own:my_graph; data.splits=[0,1,2,3,4,5,6,7,8,9]" in out
    assert [p.parent.parent.name for p in (tmp_path / "runs").glob("*/*/results.json")] == ["gcn-my_graph"]
    assert main(["data", "info", "./my_graph/"]) == 0
    info = capsys.readouterr().out
    assert "one-hot degree (the data has no node features)" in info
    assert "default -> cv10 (choices: default, given, cv10, random)" in info
