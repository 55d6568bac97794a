"""What a task's build function gets besides its config and the dataset."""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from graphkit.config.run_config import DataConfig
from graphkit.distributed import DistContext


@dataclass(frozen=True)
class TaskContext:
    """The run-time facts of one (seed, split) run.

    Args:
        data: the run's data config (a task may load more datasets from it, e.g. the
            several sources of a pretraining task).
        split_index: which of the dataset's splits this run uses.
        seed: the run's seed (already applied to the global RNGs).
        device: where batches go.
        dist: this process's place in a multi-process job (gather negatives across ranks
            with ``dist.all_gather``).
        progress: whether long set-up work may show progress (false under ``--quiet``).
    """

    data: DataConfig
    split_index: int = 0
    seed: int = 0
    device: torch.device = field(default_factory=lambda: torch.device("cpu"))
    dist: DistContext = field(default_factory=DistContext)
    progress: bool = True

    @property
    def batch_size(self) -> int:
        return self.data.batch_size

    @property
    def num_workers(self) -> int:
        return self.data.num_workers
