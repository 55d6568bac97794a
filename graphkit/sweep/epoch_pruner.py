"""The trainer's per-epoch hook that reports a sweep trial's validation metric to Optuna."""

from __future__ import annotations

from typing import Any, Optional

import optuna

from graphkit.trainers.run_stopped import RunStopped


class EpochPruner:
    """An epoch callback (:data:`graphkit.trainers.trainer.EpochCallback`) of one trial:
    after each validation round of the trial's first (seed, split) it reports the best
    ``val_<metric>`` so far (the value model selection keeps, so a trial's curve only
    improves) and ends the run with :class:`RunStopped` when the study's pruner says so.

    Args:
        trial: the Optuna trial.
        metric: the metric name (``accuracy``), read as ``val_<metric>`` from each row.
        maximize: whether higher is better.
        first: the (seed, split) whose epochs are reported; later seeds of the trial run
            unpruned (their epochs would repeat the steps already reported).
    """

    def __init__(self, trial: optuna.Trial, metric: str, maximize: bool, first: tuple[int, int]) -> None:
        self.trial, self.key, self.maximize, self.first = trial, f"val_{metric}", maximize, first
        self.best: Optional[float] = None
        self.pruned_at: Optional[int] = None

    def __call__(self, row: dict[str, Any]) -> None:
        if (row.get("seed"), row.get("split")) != self.first or self.key not in row:
            return
        value = float(row[self.key])
        if self.best is None or (value > self.best if self.maximize else value < self.best):
            self.best = value
        self.trial.report(self.best, step=int(row["epoch"]))
        if self.trial.should_prune():
            self.pruned_at = int(row["epoch"])
            raise RunStopped(f"pruned at epoch {row['epoch']}")
