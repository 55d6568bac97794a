import json

import pytest

from graphkit.cli.main import main


@pytest.mark.slow
def test_lp_heuristics_cli_on_cora(tmp_path, capsys):
    cfg = tmp_path / "h.yaml"
    cfg.write_text("dataset: cora\nheuristics: [cn, ra]\nseeds: [0]\n")
    out = tmp_path / "h.json"
    assert main(["lp", "heuristics", str(cfg), "--out", str(out), "--runs-root", str(tmp_path / "runs")]) == 0
    res = json.loads(out.read_text())
    cn = res["results"]["cn"][0]["test"]
    # Cora's random split: roughly a third of test edges have a common neighbour
    assert 0.25 < cn["hits@100"] < 0.45
    assert res["test"]["cn"]["hits@100"]["mean"] == cn["hits@100"]
    assert "ra" in capsys.readouterr().out
    # like `train`, a run directory is written without --out
    (run_dir,) = (tmp_path / "runs" / "heuristics-h").iterdir()
    assert json.loads((run_dir / "results.json").read_text()) == res
    assert "dataset: cora" in (run_dir / "config.yaml").read_text()


@pytest.mark.slow
def test_lp_train_and_analyze_cli_on_cora(tmp_path, capsys):
    run_dir = tmp_path / "run"
    code = main(["train", "configs/ncn/cora.yaml", "trainer.epochs=2", "seeds=[0]",
                 "--run-dir", str(run_dir), "--quiet", "--threads", "1"])
    assert code == 0
    results = json.loads((run_dir / "results.json").read_text())
    assert 0.0 < results["test"]["hits@100"]["mean"] <= 1.0
    assert main(["lp", "analyze", str(run_dir)]) == 0
    analysis = json.loads((run_dir / "tc_analysis.json").read_text())
    assert -1.0 <= analysis["summary"]["tc"]["spearman"] <= 1.0
    assert (run_dir / "tc_analysis.png").stat().st_size > 0


def test_lp_heuristics_cli_rejects_unknown_heuristic(tmp_path, capsys):
    cfg = tmp_path / "h.yaml"
    cfg.write_text("dataset: cora\nheuristics: [katz]\n")
    assert main(["lp", "heuristics", str(cfg)]) == 2
    assert "katz" in capsys.readouterr().err
