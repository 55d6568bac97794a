"""The run directory of a recipe (``zeroshot``, ``fewshot``, ``lp heuristics``, ``embed``,
``sparsify``): the same layout and tracking as ``graphkit train``.

``config.yaml`` (the resolved typed config, plugins recorded), ``metrics.jsonl`` (one row
per epoch, where the recipe has epochs), ``results.json``; the directory is locked while
the recipe runs, and a recipe that fails before it logged anything leaves no directory it
created behind (:func:`graphkit.trainers.run_lock.claimed`). W&B tracking follows the
config's ``tracking.wandb`` (offline by default; ``disabled`` imports nothing).
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any, Optional

from graphkit.config import to_dict
from graphkit.tracking.wandb_tracker import WandbTracker
from graphkit.trainers.run_dir import RunDir, write_text_atomic
from graphkit.trainers.run_lock import claimed


class _RecipeDir(RunDir):
    """A run directory without ``checkpoints/``: recipes save no training state."""

    holds_checkpoints = False


class RecipeRun:
    """A recipe's run directory, held for a ``with`` block::

        with RecipeRun(path, cfg, name="zeroshot-cora") as run:
            run.log({"epoch": 0, "loss": 0.3})   # metrics.jsonl + W&B
            run.write_results(results)           # results.json + W&B summary

    Args:
        path: the run directory (created; an existing one is reused).
        cfg: the recipe's typed config (a frozen dataclass with a ``tracking`` section),
            written as ``config.yaml``.
        name: the W&B run name; group: the W&B group (default the parent folder's name).
    """

    def __init__(self, path: Path, cfg: Any, *, name: str, group: Optional[str] = None) -> None:
        self.dir = _RecipeDir(Path(path), create=False)
        self.cfg = cfg
        self.name = name
        self.group = group or self.dir.path.parent.name
        self.tracker: Optional[WandbTracker] = None
        self._stack: Optional[contextlib.ExitStack] = None
        self._status: dict = {}
        self._step = 0
        self._done = False
        self._previous_config: Optional[str] = None

    @property
    def path(self) -> Path:
        return self.dir.path

    def __enter__(self) -> "RecipeRun":
        stack = contextlib.ExitStack()
        try:
            self._status = stack.enter_context(claimed(self.dir, resume=False, lock=True))
            previous = self.dir.path / "config.yaml"
            self._previous_config = previous.read_text() if previous.is_file() else None
            config = to_dict(self.cfg)
            self.dir.write_config(config)
            wandb = self.cfg.tracking.wandb
            self.tracker = WandbTracker(mode=wandb.mode, project=wandb.project, entity=wandb.entity,
                                        tags=wandb.tags, run_dir=self.dir.path, name=self.name,
                                        group=self.group, config=config)
        except BaseException:
            stack.close()
            raise
        self._stack = stack
        return self

    def log(self, row: dict[str, Any]) -> None:
        """Appends ``row`` (with its ``epoch``) to ``metrics.jsonl`` and logs it to W&B at
        the recipe's running step (a recipe may run several epoch loops)."""
        self.dir.append_metrics(row)
        if self.tracker is not None:
            self.tracker.log(row, step=self._step)
        self._step += 1

    def write_results(self, results: dict[str, Any]) -> None:
        """Writes ``results.json``; the recipe counts as finished from here."""
        self.dir.write_results(results)
        if self.tracker is not None:
            self.tracker.summary({k: v for k, v in results.items() if isinstance(v, (int, float, str))})
        self._done = True

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        try:
            if self.tracker is not None:
                self.tracker.summary({"status": "finished" if exc_type is None and self._done else "failed"})
                self.tracker.finish()
            self._status["ok"] = exc_type is None
            if exc_type is not None and not self._done and not (self.dir.path / "metrics.jsonl").is_file():
                # a failed start in an existing folder (an embedding's): its config.yaml as it was
                if self._previous_config is not None:
                    write_text_atomic(self.dir.path / "config.yaml", self._previous_config)
                else:
                    (self.dir.path / "config.yaml").unlink(missing_ok=True)
        finally:
            if self._stack is not None:
                self._stack.close()
