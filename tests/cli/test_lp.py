import json

import numpy as np
import pytest
import yaml
from scipy.stats import pearsonr, spearmanr

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
    recorded = yaml.safe_load((run_dir / "config.yaml").read_text())
    assert recorded["heuristics"] == ["cn", "ra"] and recorded["tracking"]["wandb"]["mode"] == "offline"


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
    summary, per_node = analysis["summary"], analysis["per_node"]
    hits = np.array(per_node["hits@100"], dtype=float)
    has = ~np.isnan(hits)
    assert summary["num_nodes_with_test_edges"] == int(has.sum()) > 100
    for name in ("tc", "atc"):
        values = np.array(per_node[name], dtype=float)[has]
        # the summary is the correlation of the per-node values it writes beside it
        assert summary[name]["spearman"] == pytest.approx(spearmanr(values, hits[has])[0], abs=1e-9)
        assert summary[name]["pearson"] == pytest.approx(pearsonr(values, hits[has])[0], abs=1e-9)
    # TC's finding (Wang et al. 2023): nodes whose test neighbours share more of their
    # training neighbourhood are predicted better, so the correlation is positive
    # (0.60 for this 2-epoch NCN), and hits@100 rises from the lowest TC bin to the highest
    assert summary["tc"]["spearman"] > 0.3
    bins = [q["hits@100"] for q in summary["tc_quintiles"]]
    assert bins == sorted(bins) and bins[-1] - bins[0] > 0.3
    assert sum(q["nodes"] for q in summary["tc_quintiles"]) == int(has.sum())
    assert (run_dir / "tc_analysis.png").stat().st_size > 0


def test_lp_heuristics_cli_rejects_unknown_heuristic(tmp_path, capsys):
    cfg = tmp_path / "h.yaml"
    cfg.write_text("dataset: cora\nheuristics: [katz]\n")
    assert main(["lp", "heuristics", str(cfg)]) == 2
    assert "katz" in capsys.readouterr().err
