"""A task registry entry: its typed config class and the function that builds the task."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from graphkit.config.run_config import TaskConfig
from graphkit.datasets.loaded_dataset import LoadedDataset
from graphkit.tasks.task import Task
from graphkit.tasks.task_context import TaskContext

# build(cfg, dataset, ctx) -> task. ``cfg`` is the entry's own config class, so a task's
# options are typed and an option it does not take is rejected when the config loads.
TaskBuildFn = Callable[[TaskConfig, LoadedDataset, TaskContext], Task]


@dataclass(frozen=True)
class TaskEntry:
    config_class: type[TaskConfig]
    build: TaskBuildFn
    # a self-supervised objective that `graphkit pretrain` admits (GraphCLIP, a plugin's own)
    pretraining: bool = False
