"""The task table: task name -> :class:`TaskEntry` (typed config class + build function).

``TASKS.get(name).build(cfg, dataset, ctx)`` returns a :class:`~graphkit.tasks.task.Task`;
``cfg`` is an instance of the entry's config class (the run's ``task:`` section), ``ctx`` a
:class:`TaskContext` (data config, split index, seed, device, distributed context).

A plain table: :mod:`graphkit.catalog` registers the built-in tasks (node, graph, link,
pretraining) and a plugin its own (:func:`graphkit.plugins.register_task`).
"""

from __future__ import annotations

from graphkit.config import from_dict, to_dict
from graphkit.config.run_config import TaskConfig
from graphkit.datasets.loaded_dataset import LoadedDataset
from graphkit.registry import Registry
from graphkit.tasks.task import ModelInputsHook, Task
from graphkit.tasks.task_context import TaskContext
from graphkit.tasks.task_entry import TaskEntry

TASKS: Registry[TaskEntry] = Registry("task")


def resolve_task_config(cfg: TaskConfig, dataset: LoadedDataset) -> TaskConfig:
    """``cfg`` typed by its task's config class; a config that left ``task.name`` out (a
    dataset known only once loaded) gets the dataset's task, with its options checked."""
    name = cfg.name or dataset.task
    entry = TASKS.get(name)
    if isinstance(cfg, entry.config_class):
        return cfg
    return from_dict(entry.config_class, {**to_dict(cfg), "name": name}, "task")


def build_task(cfg: TaskConfig, dataset: LoadedDataset, ctx: TaskContext) -> Task:
    """Builds the run's task from its (resolved) config."""
    cfg = resolve_task_config(cfg, dataset)
    return TASKS.get(cfg.name).build(cfg, dataset, ctx)


__all__ = ["TASKS", "ModelInputsHook", "Task", "TaskContext", "TaskEntry", "build_task", "resolve_task_config"]
