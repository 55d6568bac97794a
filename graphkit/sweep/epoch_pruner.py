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

    A run in stages (sparsify: gate epochs, then the fixed plan's) numbers each stage's
    epochs from 0: the steps run on across stages, and the best so far starts afresh in
    each, so a trial is judged on the stage it is in (the gates' soft model is not the
    fixed plan's).
    """

    def __init__(self, trial: optuna.Trial, metric: str, maximize: bool, first: tuple[int, int]) -> None:
        self.trial, self.key, self.maximize, self.first = trial, f"val_{metric}", maximize, first
        self.best: Optional[float] = None
        self.pruned_at: Optional[int] = None
        self._epoch: Optional[int] = None  # the last reported row's own epoch
        self._offset = 0  # steps of the stages before this one

    def __call__(self, row: dict[str, Any]) -> None:
        if (row.get("seed"), row.get("split")) != self.first or self.key not in row:
            return
        epoch = int(row["epoch"])
        if self._epoch is not None and epoch <= self._epoch:  # a new stage
            self._offset += self._epoch + 1
            self.best = None
        self._epoch = epoch
        value = float(row[self.key])
        if self.best is None or (value > self.best if self.maximize else value < self.best):
            self.best = value
        step = self._offset + epoch
        self.trial.report(self.best, step=step)
        if self.trial.should_prune():
            self.pruned_at = step
            raise RunStopped(f"pruned at epoch {step}")
