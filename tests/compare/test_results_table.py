import json
from pathlib import Path

import pytest
import yaml

from graphkit.cli.main import main
from graphkit.compare import ResultsTable


def _run(folder: Path, model: str, seeds: list[int], acc: list[float], params: int, wall: float,
         lr: float = 0.01) -> Path:
    folder.mkdir(parents=True)
    config = {"data": {"name": "cora", "root": str(folder)}, "model": {"name": model, "hidden_channels": 16},
              "optim": {"lr": lr}, "seeds": seeds, "tracking": {"wandb": {"mode": "offline"}}}
    (folder / "config.yaml").write_text(yaml.safe_dump(config))
    results = {"metric": "accuracy", "seeds": seeds, "params": params, "wall_seconds": wall,
               "val": {"accuracy": {"mean": 0.0, "std": 0.0, "per_seed": [0.0] * len(acc)}},
               "test": {"accuracy": {"mean": sum(acc) / len(acc), "std": 0.0, "per_seed": acc}}}
    (folder / "results.json").write_text(json.dumps(results))
    return folder


@pytest.fixture
def runs(tmp_path):
    # two GCN runs (seeds 0,1 and 2) and one GAT run; roots and seeds differ but do not group
    return [_run(tmp_path / "runs" / "a", "gcn", [0, 1], [0.80, 0.82], 100, 10.0),
            _run(tmp_path / "runs" / "b", "gcn", [2], [0.84], 100, 20.0),
            _run(tmp_path / "runs" / "c", "gat", [0, 1], [0.70, 0.74], 200, 30.0)]


# by hand: gcn test accuracy over its 3 seeds 0.80, 0.82, 0.84: mean 0.82, sample std 0.02;
# wall 10, 20: mean 15, std sqrt(50) = 7.07; gat 0.70, 0.74: mean 0.72, std sqrt(0.0008) = 0.0283
TABLE = """| model.name | runs | test.accuracy | params | wall_seconds |
|---|---|---|---|---|
| gcn | 2 | 0.8200 ± 0.0200 | 100.00 ± 0.00 | 15.00 ± 7.07 |
| gat | 1 | 0.7200 ± 0.0283 | 200.00 ± 0.00 | 30.00 ± 0.00 |
"""


def test_results_table_groups_by_differing_keys_against_hand_computed_table(runs):
    table = ResultsTable([str(r) for r in runs])
    assert table.by == ["model.name"]
    assert table.to_markdown() == TABLE
    gcn = table.rows[0]["metrics"]["test.accuracy"]
    assert gcn["mean"] == pytest.approx(0.82) and gcn["std"] == pytest.approx(0.02) and gcn["n"] == 3


def test_compare_cli_folder_glob_and_formats(runs, tmp_path, capsys):
    assert main(["compare", str(tmp_path / "runs")]) == 0  # a folder of run directories is searched
    assert capsys.readouterr().out == TABLE
    assert main(["compare", str(tmp_path / "runs" / "*"), "--format", "csv", "--metrics", "test.accuracy"]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert rows[0] == "model.name,runs,test.accuracy_mean,test.accuracy_std,test.accuracy_n"
    gcn = rows[1].split(",")
    assert gcn[:2] == ["gcn", "2"] and float(gcn[2]) == pytest.approx(0.82) and float(gcn[3]) == pytest.approx(0.02)
    assert main(["compare", str(tmp_path / "runs"), "--format", "latex", "--metrics", "test.accuracy",
                 "--by", "model.name,model.hidden_channels"]) == 0
    latex = capsys.readouterr().out.splitlines()
    assert latex[2] == r"model.name & model.hidden\_channels & runs & test.accuracy \\"
    assert latex[4] == r"gcn & 16 & 2 & 0.8200 $\pm$ 0.0200 \\"
    plot = tmp_path / "bars.png"
    assert main(["compare", str(tmp_path / "runs"), "--plot", str(plot)]) == 0
    assert plot.stat().st_size > 1000


def test_compare_reads_an_eval_file_and_scalars(runs, tmp_path):
    evaluation = {"metric": "accuracy", "test": {"accuracy": {"mean": 0.5, "std": 0.0, "per_seed": [0.4, 0.6]}}}
    (runs[2] / "eval.json").write_text(json.dumps(evaluation))
    table = ResultsTable([str(runs[2] / "eval.json")], metrics=["test.accuracy", "params"])
    assert table.rows[0]["metrics"]["test.accuracy"]["mean"] == pytest.approx(0.5)
    assert table.rows[0]["metrics"]["params"] is None  # an eval file has no params


def test_compare_cli_errors_are_one_line(runs, tmp_path, capsys):
    assert main(["compare", str(tmp_path / "nowhere")]) == 2
    assert capsys.readouterr().err.strip() == f"graphkit: error: {tmp_path / 'nowhere'}: no such file or directory"
    assert main(["compare", str(tmp_path / "runs"), "--by", "model.depth"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--by model.depth: no run's config has it; keys: data.name" in err
    assert main(["compare", str(tmp_path / "runs"), "--metrics", "test.f1"]) == 2
    assert "--metrics test.f1: none is in" in capsys.readouterr().err
