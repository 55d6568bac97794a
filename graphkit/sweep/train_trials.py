"""Sweep trials that train a config (``graphkit train``; pretraining tasks too)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

from graphkit.api import train
from graphkit.config import RunConfig
from graphkit.runs.config_loading import load_config
from graphkit.runs.run_setup import load_run_dataset
from graphkit.trainers.run_dir import RunDir
from graphkit.trainers.trainer import EpochCallback


class TrainTrials:
    """Each trial is a training run (:func:`graphkit.train`) of the base config.

    Args:
        base: the typed base config (``sweep.yaml``'s ``base``, or a :class:`RunConfig`).
        group: the W&B group every trial and the re-run log to (the study's name).
    """

    rerun = "graphkit train {best}"
    record = "config.yaml"

    def __init__(self, base: Any, group: str) -> None:
        self.base: RunConfig = base if isinstance(base, RunConfig) else load_config(RunConfig, base)
        self.first = (self.base.seeds[0], self.base.data.splits[0])
        self.epochs = self.base.trainer.epochs
        self._group = [f"tracking.wandb.group={group!r}"]

    def default_metric(self) -> str:
        return f"val.{self.base.task.metric or load_run_dataset(self.base.data).metric}"

    def run(self, overrides: Sequence[str], run_dir: Path, resume: bool, callbacks: Sequence[EpochCallback],
            trial: bool) -> dict[str, Any]:
        # resume: the run's own config.yaml (written with these overrides) is used
        return train(self.base, list(overrides) + self._group, run_dir=run_dir, resume=resume,
                     callbacks=callbacks).results

    def finished(self, run_dir: Path) -> dict[str, Any] | None:
        return RunDir(run_dir, create=False).read_results()

    def config_of(self, run_dir: Path) -> dict[str, Any]:
        return RunDir(run_dir, create=False).read_config()
