"""Weights & Biases tracking: offline by default, never blocks or fails a run.

``wandb`` is imported only when tracking is enabled. Local metrics files are written by
the trainer regardless of what happens here.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any, Optional

from graphkit.errors import GraphkitWarning


class WandbTracker:
    """One W&B run per (seed, split) of an experiment, grouped by run directory.

    When ``online`` cannot reach the server (a ~30 s timeout), this and every later
    tracker of the process run ``offline``: one wait per process, not one per run.

    Args:
        mode: ``offline`` (default; sync later with ``wandb sync``), ``online`` or ``disabled``.
        project, entity, tags: W&B run settings.
        run_dir: files go to ``<run_dir>/wandb``.
        name: run name; group: the experiment (run-directory) name.
        config: the resolved config, stored with the run.
    """

    # why online init failed in this process (None: not tried or it worked)
    _online_failed: Optional[str] = None

    def __init__(
        self,
        *,
        mode: str,
        project: str,
        run_dir: Path,
        name: str,
        group: str,
        entity: Optional[str] = None,
        tags: tuple[str, ...] = (),
        config: Optional[dict[str, Any]] = None,
    ) -> None:
        self.run = None
        if mode == "disabled":
            return
        if mode == "online" and WandbTracker._online_failed is not None:
            mode = "offline"  # an earlier (seed, split) already waited for the server once
        os.environ.setdefault("WANDB_SILENT", "true")
        try:
            import wandb

            settings = wandb.Settings(init_timeout=30, silent=True)
            self.run = wandb.init(
                mode=mode, project=project, entity=entity, tags=list(tags), name=name,
                group=group, dir=str(run_dir), config=config or {}, reinit="create_new",
                settings=settings,
            )
        except Exception as e:  # a tracker outage must never cost a training run
            if mode == "online":
                WandbTracker._online_failed = str(e)
                warnings.warn(f"W&B online init failed ({e}); falling back to offline for the rest of "
                              f"this process", GraphkitWarning, stacklevel=2)
                self.__init__(mode="offline", project=project, run_dir=run_dir, name=name,
                              group=group, entity=entity, tags=tags, config=config)
                return
            warnings.warn(f"W&B disabled for this run: {e}", stacklevel=2)
            self.run = None

    def log(self, row: dict[str, Any], step: Optional[int] = None) -> None:
        """Logs ``row`` at ``step`` (default its ``epoch``; a recipe with several epoch
        loops in one W&B run passes its own running step)."""
        if self.run is not None:
            self.run.log({k: v for k, v in row.items() if k not in ("seed", "split")},
                         step=int(row["epoch"]) if step is None else step)

    def summary(self, values: dict[str, Any]) -> None:
        if self.run is not None:
            self.run.summary.update(values)

    def finish(self) -> None:
        if self.run is not None:
            try:
                self.run.finish()
            except Exception as e:  # see __init__: never fail the run
                warnings.warn(f"W&B finish failed: {e}", stacklevel=2)
            self.run = None
