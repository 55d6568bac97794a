"""The task registry: task name -> :class:`TaskEntry` (typed config class + build function).

``TASKS.get(name).build(cfg, dataset, ctx)`` returns a :class:`~graphkit.tasks.task.Task`;
``cfg`` is an instance of the entry's config class (the run's ``task:`` section), ``ctx`` a
:class:`TaskContext` (data config, split index, seed, device, distributed context).
"""

from __future__ import annotations

from graphkit.config.run_config import TaskConfig
from graphkit.datasets.loaded_dataset import (
    GRAPH_CLASSIFICATION,
    GRAPH_MULTILABEL,
    GRAPH_REGRESSION,
    LINK_PREDICTION,
    NODE_CLASSIFICATION,
    NODE_MULTILABEL,
    LoadedDataset,
)
from graphkit.errors import ConfigError
from graphkit.registry import Registry
from graphkit.tasks.graph_task import GraphTask, GraphTaskConfig
from graphkit.tasks.link_prediction import LinkPredictionTaskConfig, build_link_prediction_task
from graphkit.tasks.node_task import NodeTask, NodeTaskConfig
from graphkit.tasks.sampled_node_task import SampledNodeTask
from graphkit.tasks.task import Task
from graphkit.tasks.task_context import TaskContext
from graphkit.tasks.task_entry import TaskEntry

TASKS: Registry[TaskEntry] = Registry("task")


def _build_node(cfg: NodeTaskConfig, dataset: LoadedDataset, ctx: TaskContext) -> Task:
    if ctx.dist.enabled:
        raise ConfigError(
            "multi-process training covers graph-level and link tasks; node classification "
            "runs in one process (with task.num_neighbors for large graphs)"
        )
    if cfg.num_neighbors:
        return SampledNodeTask(dataset, split_index=ctx.split_index, device=ctx.device,
                               metric=cfg.metric, num_neighbors=cfg.num_neighbors,
                               batch_size=ctx.batch_size, seed=ctx.seed,
                               eval_chunk_size=cfg.eval_chunk_size)
    return NodeTask(dataset, split_index=ctx.split_index, device=ctx.device, metric=cfg.metric)


def _build_graph(cfg: GraphTaskConfig, dataset: LoadedDataset, ctx: TaskContext) -> Task:
    return GraphTask(dataset, split_index=ctx.split_index, device=ctx.device, metric=cfg.metric,
                     batch_size=ctx.batch_size, num_workers=ctx.num_workers, seed=ctx.seed,
                     rank=ctx.dist.rank, world_size=ctx.dist.world_size)


for _name in (NODE_CLASSIFICATION, NODE_MULTILABEL):
    TASKS.register(_name, TaskEntry(NodeTaskConfig, _build_node))
for _name in (GRAPH_CLASSIFICATION, GRAPH_MULTILABEL, GRAPH_REGRESSION):
    TASKS.register(_name, TaskEntry(GraphTaskConfig, _build_graph))
TASKS.register(LINK_PREDICTION, TaskEntry(LinkPredictionTaskConfig, build_link_prediction_task))
# Further tasks register below, one line each (graph-text pretraining...).


def resolve_task_config(cfg: TaskConfig, dataset: LoadedDataset) -> TaskConfig:
    """``cfg`` typed by its task's config class; a config that left ``task.name`` out (a
    dataset known only once loaded) gets the dataset's task, with its options checked."""
    name = cfg.name or dataset.task
    entry = TASKS.get(name)
    if isinstance(cfg, entry.config_class):
        return cfg
    from graphkit.config import from_dict, to_dict

    return from_dict(entry.config_class, {**to_dict(cfg), "name": name}, "task")


def build_task(cfg: TaskConfig, dataset: LoadedDataset, ctx: TaskContext) -> Task:
    """Builds the run's task from its (resolved) config."""
    cfg = resolve_task_config(cfg, dataset)
    return TASKS.get(cfg.name).build(cfg, dataset, ctx)


__all__ = ["TASKS", "GraphTask", "GraphTaskConfig", "LinkPredictionTaskConfig", "NodeTask",
           "NodeTaskConfig", "SampledNodeTask", "Task", "TaskContext", "TaskEntry", "build_task",
           "resolve_task_config"]
