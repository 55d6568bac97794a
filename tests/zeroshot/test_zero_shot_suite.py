import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from graphkit.errors import ConfigError
from graphkit.zeroshot import zero_shot_suite as suite_module
from graphkit.zeroshot.zero_shot_config import ZeroShotConfig
from graphkit.zeroshot.zero_shot_suite import suite_targets, table, zero_shot_suite

REGISTERED = ["tag:arxiv_2023", "tag:cora", "tag:cornell", "tag:dblp"]


def test_suite_targets_default_to_registered_tags_without_the_sources():
    kept, left_out = suite_targets((), ("tag:arxiv_2023", "tag:dblp"), REGISTERED)
    assert kept == ["tag:cora", "tag:cornell"] and left_out == ["tag:arxiv_2023", "tag:dblp"]


def test_suite_targets_leave_out_a_listed_source_and_a_source_directory(tmp_path):
    (tmp_path / "mine").mkdir()
    kept, left_out = suite_targets(("tag:cornell", "tag:cora", str(tmp_path / "mine" / ".." / "mine")),
                                   ("tag:cora", str(tmp_path / "mine")), REGISTERED)
    assert kept == ["tag:cornell"] and left_out == ["tag:cora", str(tmp_path / "mine" / ".." / "mine")]
    with pytest.raises(ConfigError, match="no zero-shot target left: tag:cora, .* are all pretraining sources"):
        suite_targets(("tag:cora", str(tmp_path / "mine" / ".." / "mine")), ("tag:cora", str(tmp_path / "mine")),
                      REGISTERED)


def _fake_results(target, acc):
    methods = {"graphclip": acc, "graphclip_encoder": acc - 0.01, "text": 0.5, "text_2hop_mean": 0.6,
               "graphclip-mean": acc - 0.02, "graphclip_encoder-mean": acc - 0.03, "text-mean": 0.55,
               "text_2hop_mean-mean": 0.65}
    return {"dataset": target, "split": "all", "num_nodes": 10, "main_method": "graphclip",
            "methods": {m: {"accuracy": a, "macro_f1": a, "per_class": []} for m, a in methods.items()}}


def test_zero_shot_suite_scores_non_sources_writes_a_table_and_resumes(tmp_path, monkeypatch):
    calls = []
    pretrained = SimpleNamespace(sources=("tag:dblp",), checkpoint=Path("ckpt.pt"))
    monkeypatch.setattr(suite_module.PretrainedGraphCLIP, "load", staticmethod(lambda *a, **k: pretrained))

    def fake_scores(cfg, loaded):
        assert loaded is pretrained and cfg.baselines is True and cfg.targets == ()
        calls.append(cfg.dataset)
        return _fake_results(cfg.dataset, {"tag:cora": 0.7, "tag:cornell": 0.4}[cfg.dataset])

    monkeypatch.setattr(suite_module, "method_scores", fake_scores)
    cfg = ZeroShotConfig(pretrained=str(tmp_path), targets=("tag:cora", "tag:dblp", "tag:cornell"), split="all")
    results = zero_shot_suite(cfg, tmp_path / "suite")
    assert calls == ["tag:cora", "tag:cornell"] and results["left_out_sources"] == ["tag:dblp"]
    cora = results["summary"]["tag:cora"]
    assert cora["best_baseline_method"] == "text_2hop_mean-mean" and cora["margin"] == pytest.approx(0.05)
    assert results["summary"]["tag:cornell"]["margin"] == pytest.approx(-0.25)
    written = (tmp_path / "suite" / "table.md").read_text()
    assert "| tag:cora | 10 | 70.00 | 69.00 | 50.00 | 60.00 | 68.00 | 67.00 | 55.00 | 65.00 | " \
           "text_2hop_mean-mean 65.00 | +5.00 |" in written
    assert "left out as pretraining sources: tag:dblp" in written
    assert json.loads((tmp_path / "suite" / "results.json").read_text())["targets"].keys() == {"tag:cora", "tag:cornell"}
    # a rerun with the same settings reuses every target's saved results
    calls.clear()
    again = zero_shot_suite(cfg, tmp_path / "suite")
    assert calls == [] and again["summary"] == results["summary"]
    # a changed setting scores again
    zero_shot_suite(ZeroShotConfig(pretrained=str(tmp_path), targets=("tag:cora",), split="all", hops=3),
                    tmp_path / "suite")
    assert calls == ["tag:cora"]


def test_table_lists_methods_as_columns():
    per_target = {"tag:cora": _fake_results("tag:cora", 0.7)}
    results = {"targets": per_target, "split": "all", "left_out_sources": [],
               "summary": suite_module.summary(per_target)}
    assert table(results).splitlines()[0].startswith("| target | nodes | graphclip | graphclip_encoder | text |")
