"""The task registry: task name -> factory building a :class:`~graphkit.tasks.task.Task`.

A factory is called as ``factory(dataset, split_index=, seed=, metric=, batch_size=,
num_workers=, device=)``, plus ``rank=, world_size=`` under multi-process training.
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
from graphkit.errors import ConfigError
from graphkit.registry import Registry
from graphkit.tasks.graph_task import GraphTask
from graphkit.tasks.node_task import NodeTask
from graphkit.tasks.sampled_node_task import SampledNodeTask
from graphkit.tasks.task import Task

TaskFactory = Callable[..., Task]
TASKS: Registry[TaskFactory] = Registry("task")


def _node(dataset: Any, *, split_index, seed, metric, batch_size, num_workers, device,
          rank=0, world_size=1, num_neighbors=(), eval_chunk_size=65536) -> Task:
    if world_size > 1:
        raise ConfigError(
            "multi-process training covers graph-level and link tasks; node classification "
            "runs in one process (with task.num_neighbors for large graphs)"
        )
    if num_neighbors:
        return SampledNodeTask(dataset, split_index=split_index, device=device, metric=metric,
                               num_neighbors=num_neighbors, batch_size=batch_size, seed=seed,
                               eval_chunk_size=eval_chunk_size)
    return NodeTask(dataset, split_index=split_index, device=device, metric=metric)


def _graph(dataset: Any, *, split_index, seed, metric, batch_size, num_workers, device,
           rank=0, world_size=1) -> Task:
    return GraphTask(dataset, split_index=split_index, device=device, metric=metric,
                     batch_size=batch_size, num_workers=num_workers, seed=seed, rank=rank,
                     world_size=world_size)


for _name in (NODE_CLASSIFICATION, NODE_MULTILABEL):
    TASKS.register(_name, _node)
for _name in (GRAPH_CLASSIFICATION, GRAPH_MULTILABEL, GRAPH_REGRESSION):
    TASKS.register(_name, _graph)

# Further tasks register below, one line each (link prediction, pretraining...).
from graphkit.tasks.link_prediction import build_link_prediction_task  # noqa: E402

TASKS.register("link_prediction", build_link_prediction_task)

__all__ = ["TASKS", "Task", "NodeTask", "GraphTask", "SampledNodeTask"]
