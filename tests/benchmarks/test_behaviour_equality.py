"""Same-seed runs of the cheapest behaviour cases match the pre-refactor baseline (issue 29).

The baseline was recorded on fc9c91c with ``benchmarks/behaviour_equality.py``; floats are
compared exactly, so it holds on the machine and torch build that recorded it (its ``_meta``).
"""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "benchmarks" / "behaviour_equality.py"
BASELINE = REPO / "benchmarks" / "results" / "behaviour_baseline_fc9c91c.json"
CHEAP_CASES = ["gin_mutag", "ncn_cora", "gcn_cora"]  # ~7 + 10 + 13 s on one thread


def _script():
    spec = importlib.util.spec_from_file_location("behaviour_equality", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_compare_case_reports_both_values_and_missing_numbers():
    be = _script()
    base = {"test": {"acc": {"per_seed": [0.5, 0.25]}}, "params": 10}
    assert be.compare_case("c", base, json.loads(json.dumps(base))) == []
    assert be.compare_case("c", base, {**base, "extra": 1.0}) == []  # new numbers are not failures
    diffs = be.compare_case("c", base, {"test": {"acc": {"per_seed": [0.5, 0.2500001]}}})
    assert diffs == ["test.acc.per_seed[1]: baseline 0.25 != now 0.2500001", "params: missing (baseline 10)"]
    assert be.compare_case("c", base, {"test": {"acc": {"per_seed": [0.5, 0.2500001]}}, "params": 10},
                           tol=1e-6) == []
    assert be.compare_case("c", base, {"error": "CaseError: exit 2"}) == ["run failed: CaseError: exit 2"]


@pytest.mark.slow
@pytest.mark.parametrize("case", CHEAP_CASES)
def test_behaviour_matches_fc9c91c_baseline(case, mirror, tmp_path):
    be = _script()
    baseline = json.loads(BASELINE.read_text())
    import torch

    meta = baseline["_meta"]
    if (meta.get("torch"), meta.get("cpu")) != (torch.__version__, be.cpu_model()):
        pytest.skip(f"exact equality holds on the recording machine ({meta.get('cpu')}, torch {meta.get('torch')}); "
                    f"here {be.cpu_model()}, torch {torch.__version__}: rerun benchmarks/behaviour_equality.py "
                    f"--out on a pre-refactor tree to compare")
    env = dict(os.environ, PYTHONPATH=str(REPO), OMP_NUM_THREADS="1", WANDB_MODE="disabled",
               WANDB_SILENT="true", GRAPHKIT_MIRROR=str(mirror))
    results, _ = be.run_cases([case], REPO, env, tmp_path)
    assert "error" not in results[case], results[case]["error"]
    diffs = be.compare_case(case, baseline[case], results[case], be.TOLERANCE.get(case, 0.0))
    assert not diffs, f"{case} differs from the fc9c91c baseline:\n" + "\n".join(diffs[:20])
