"""The ``lp heuristics`` protocol: every heuristic on every seed's split, valid and test,
scored by the link-prediction task's own metrics, written as a recipe run
(:class:`graphkit.runs.recipe_run.RecipeRun`)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import torch

from graphkit.aggregate import aggregate_runs
from graphkit.config import DataConfig
from graphkit.datasets import load_dataset
from graphkit.datasets.loaded_dataset import LINK_PREDICTION
from graphkit.linkpred.heuristics import HEURISTICS
from graphkit.linkpred.heuristics_config import HeuristicsConfig
from graphkit.runs.recipe_run import RecipeRun
from graphkit.tasks import TaskContext
from graphkit.tasks.link_prediction import LinkPredictionTaskConfig, build_link_prediction_task


def link_heuristics(cfg: HeuristicsConfig, run_dir: Path) -> dict[str, Any]:
    """Scores the heuristics of ``cfg`` and writes ``run_dir`` (``config.yaml``,
    ``results.json``); returns ``results.json``'s content: per heuristic, per-seed valid
    and test metrics (``results``) and their mean ± std over seeds (``test``)."""
    with RecipeRun(run_dir, cfg, name=f"{Path(run_dir).parent.name}-{cfg.dataset}") as run:
        started = time.perf_counter()
        data = DataConfig(name=cfg.dataset, mirror=cfg.mirror, root=cfg.root)
        dataset = load_dataset(data)
        per_seed: dict[str, list[dict[str, Any]]] = {name: [] for name in cfg.heuristics}
        for seed in cfg.seeds:
            task = build_link_prediction_task(
                LinkPredictionTaskConfig(name=LINK_PREDICTION, metric=cfg.metric), dataset,
                TaskContext(data=DataConfig(name=cfg.dataset, batch_size=1), seed=seed))
            for name in cfg.heuristics:
                row = {}
                for split in ("valid", "test"):
                    adj = task.test_adj if split == "test" else task.adj
                    pos, neg = task.pairs(split)
                    scores = torch.cat([HEURISTICS[name](adj, pos), HEURISTICS[name](adj, neg)])
                    target = torch.cat([torch.ones(pos.size(1)), torch.zeros(neg.size(1))])
                    row[split] = task.metrics(scores, target)
                per_seed[name].append(row)
        results = {"dataset": dataset.name, "metric": task.metric, "seeds": list(cfg.seeds),
                   # population std over seeds: what the heuristics table has always reported
                   "test": {name: aggregate_runs(rows, "test", ddof=0) for name, rows in per_seed.items()},
                   "results": per_seed, "seconds": time.perf_counter() - started}
        run.write_results(results)
    return results


def report(results: dict[str, Any]) -> str:
    """Test metrics in % (mean ± std over seeds), one line per heuristic."""
    names = list(results["test"])
    keys = list(results["test"][names[0]])
    lines = [f"{results['dataset']}: {len(results['seeds'])} seed(s), test metrics in % (mean ± std)",
             f"{'':6}" + "".join(f"{k:>16}" for k in keys)]
    for name in names:
        cells = [f"{100 * results['test'][name][k]['mean']:8.2f} ± {100 * results['test'][name][k]['std']:5.2f}"
                 for k in keys]
        lines.append(f"{name:6}" + "".join(f"{c:>16}" for c in cells))
    return "\n".join(lines)
