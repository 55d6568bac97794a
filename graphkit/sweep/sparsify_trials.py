"""Sweep trials that sparsify a trained run (``graphkit sparsify RUN_DIR --config ...``)."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Any, Sequence

from graphkit.aggregate import aggregate_runs
from graphkit.api import load_run, sparsify
from graphkit.config import load_yaml
from graphkit.errors import ConfigError
from graphkit.runs import LoadedRun
from graphkit.runs.config_loading import load_config
from graphkit.sparsify.sparsify_config import SparsifyRunConfig
from graphkit.trainers.run_dir import RunDir
from graphkit.trainers.trainer import EpochCallback


class SparsifyTrials:
    """Each trial sparsifies the same trained run with the base sparsify config and the
    trial's values, toward the config's FLOPs budget; the study optimises the sparsified
    model's validation metric (mean over the config's seeds) at that budget.

    A trial runs the config's own method only: its ``sparsify.baselines`` do not change the
    method's result, so they are left to the best config's re-run (``final/``), which runs
    the config as written and so compares the method with them.

    Args:
        base: the typed sparsify config (``sweep.yaml``'s ``base``, or a
            :class:`SparsifyRunConfig`).
        from_run: the trained run every trial starts from (its best checkpoint, first seed).
        group: the W&B group every trial and the re-run log to (the study's name).
    """

    record = "sparsify.yaml"

    def __init__(self, base: Any, from_run: str | Path, group: str) -> None:
        self.base: SparsifyRunConfig = (base if isinstance(base, SparsifyRunConfig)
                                        else load_config(SparsifyRunConfig, base))
        self.from_run = Path(from_run)
        if not (self.from_run / "config.yaml").is_file():
            raise ConfigError(f"--from-run {from_run}: not a trained run directory (no config.yaml)")
        self.rerun = f"graphkit sparsify {self.from_run} --config {{best}}"
        self.epochs = self.base.sparsify.gate_epochs + self.base.sparsify.fixed_epochs
        self._group = [f"tracking.wandb.group={group!r}"]

    @cached_property
    def loaded(self) -> LoadedRun:
        """The trained run, reloaded once for every trial of this process."""
        return load_run(self.from_run)

    @property
    def first(self) -> tuple[int, int]:
        return self.base.seeds[0], self.loaded.split

    def default_metric(self) -> str:
        return f"val.{self.loaded.task.metric}"

    def run(self, overrides: Sequence[str], run_dir: Path, resume: bool, callbacks: Sequence[EpochCallback],
            trial: bool) -> dict[str, Any]:
        extra = ["sparsify.baselines=[]"] if trial else []
        result = sparsify(self.loaded, self.base, list(overrides) + extra + self._group, run_dir=run_dir,
                          resume=resume, callbacks=callbacks)
        return self._results(result.results)

    def finished(self, run_dir: Path) -> dict[str, Any] | None:
        results = RunDir(run_dir, create=False).read_results()
        return None if results is None else self._results(results)

    def config_of(self, run_dir: Path) -> dict[str, Any]:
        return load_yaml(Path(run_dir) / "sparsify.yaml")

    @staticmethod
    def _results(results: dict[str, Any]) -> dict[str, Any]:
        """The sparsify method's val/test metrics over its seeds, as ``results.json`` of a
        training run lays them out."""
        runs = [r for r in results["runs"] if r["method"] == results["method"]]
        return {"metric": results["metric"], "seeds": [r["seed"] for r in runs],
                "val": aggregate_runs(runs, "val"), "test": aggregate_runs(runs, "test")}
