import argparse
import json

import pytest

from graphkit.cli import data as data_cli
from graphkit.cli.main import main


def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="graphkit")
    data_cli.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


def test_data_list_prints_a_row_per_dataset(capsys):
    assert _run(["data", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["name", "task", "graphs", "nodes", "edges", "metric", "source"]
    cora = next(line for line in lines if line.startswith("cora "))
    assert cora.split()[:6] == ["cora", "node_classification", "1", "2,708", "10,556", "accuracy"]
    assert any(line.startswith("zinc ") and "12,000" in line for line in lines)


@pytest.mark.slow
def test_data_info_reports_real_sizes_and_splits(mirror, capsys):
    assert _run(["data", "info", "cora"]) == 0
    out = capsys.readouterr().out
    assert "1 / 2,708 / 10,556" in out and "140/500/1,000" in out
    assert "node encoder: linear" in out and "public (choices: public, geom-gcn)" in out
    assert "pinned: 18 file(s) checked against sha256" in out


@pytest.mark.slow
def test_data_info_featureless_graph_says_so(mirror, capsys):
    assert _run(["data", "info", "blogcatalog"]) == 0
    features = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("features "))
    assert features.split(None, 1)[1].startswith("none (a featureless graph")


@pytest.mark.slow
def test_data_prepare_caches_with_positional_encodings(mirror, tmp_path, capsys):
    argv = ["data", "prepare", "mutag", "--pe-lap", "3", "--pe-rwse", "4", "--root", str(tmp_path)]
    assert _run(argv) == 0
    assert "prepared in" in capsys.readouterr().out
    assert _run(argv) == 0
    assert "already cached" in capsys.readouterr().out
    assert _run(["data", "info", "mutag", "--pe-lap", "3", "--pe-rwse", "4", "--root", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "lap_pe[17, 3]" in out and "rwse[17, 4]" in out


def test_data_cli_user_errors_exit_2_with_one_line(capsys):
    assert main(["data", "info", "no-such-dataset"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("graphkit: error: unknown dataset 'no-such-dataset'") and "\n" not in err
    assert main(["data", "prepare", "cora", "--split", "nope"]) == 2
    assert "valid options: default, public, geom-gcn" in capsys.readouterr().err
    assert main(["data", "prepare", "cora", "--pe-lap", "-1"]) == 2


def test_data_info_reports_direction_both_ways(mirror, capsys):
    assert main(["data", "info", "cora_ml", "--directed", "true"]) == 0
    out = capsys.readouterr().out
    assert "raw edges directed; kept directed; 8,416 ordered pairs, 8,158 undirected pairs, reciprocity 0.061" in out
    assert main(["data", "info", "cora_ml"]) == 0
    assert "kept undirected (symmetrized); 16,316 ordered pairs, 8,158 undirected pairs" in capsys.readouterr().out


def test_data_amud_prints_and_writes_its_decision(mirror, tmp_path, capsys):
    out = tmp_path / "amud.json"
    assert main(["data", "amud", "chameleon", "--out", str(out)]) == 0
    line = capsys.readouterr().out
    record = json.loads(out.read_text())
    assert record["dataset"] == "chameleon" and record["decision"] in ("directed", "undirected")
    assert f"AMUD statistic {record['statistic']:.4f}" in line and record["decision"] in line


def test_data_directed_errors_exit_2_with_one_line(mirror, capsys):
    assert main(["data", "info", "cora", "--directed", "true"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "undirected raw edges" in err[0]
    assert main(["data", "amud", "cora"]) == 2
    assert "no directed raw edge list" in capsys.readouterr().err
