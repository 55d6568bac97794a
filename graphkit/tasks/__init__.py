"""The task registry: task name -> factory building a :class:`~graphkit.tasks.task.Task`.

A factory is called as ``factory(dataset, split_index=, seed=, metric=, batch_size=,
num_workers=, device=)``.
"""

from __future__ import annotations

from typing import Any, Callable

from graphkit.datasets.loaded_dataset import (
    GRAPH_CLASSIFICATION,
    GRAPH_MULTILABEL,
    GRAPH_REGRESSION,
    NODE_CLASSIFICATION,
    NODE_MULTILABEL,
)
from graphkit.registry import Registry
from graphkit.tasks.graph_task import GraphTask
from graphkit.tasks.node_task import NodeTask
from graphkit.tasks.task import Task

TaskFactory = Callable[..., Task]
TASKS: Registry[TaskFactory] = Registry("task")


def _node(dataset: Any, *, split_index, seed, metric, batch_size, num_workers, device) -> Task:
    return NodeTask(dataset, split_index=split_index, device=device, metric=metric)


def _graph(dataset: Any, *, split_index, seed, metric, batch_size, num_workers, device) -> Task:
    return GraphTask(dataset, split_index=split_index, device=device, metric=metric,
                     batch_size=batch_size, num_workers=num_workers)


for _name in (NODE_CLASSIFICATION, NODE_MULTILABEL):
    TASKS.register(_name, _node)
for _name in (GRAPH_CLASSIFICATION, GRAPH_MULTILABEL, GRAPH_REGRESSION):
    TASKS.register(_name, _graph)

# Further tasks register below, one line each (link prediction, pretraining...).
from graphkit.tasks.link_prediction import build_link_prediction_task  # noqa: E402

TASKS.register("link_prediction", build_link_prediction_task)

__all__ = ["TASKS", "Task", "NodeTask", "GraphTask"]
