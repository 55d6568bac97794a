"""Build functions of the built-in node and graph tasks (registered by :mod:`graphkit.catalog`)."""

from __future__ import annotations

from graphkit.datasets.loaded_dataset import LoadedDataset
from graphkit.errors import ConfigError
from graphkit.tasks.graph_task import GraphTask, GraphTaskConfig
from graphkit.tasks.node_task import NodeTask, NodeTaskConfig
from graphkit.tasks.sampled_node_task import SampledNodeTask
from graphkit.tasks.task import Task
from graphkit.tasks.task_context import TaskContext


def build_node_task(cfg: NodeTaskConfig, dataset: LoadedDataset, ctx: TaskContext) -> Task:
    """Full-batch node classification, or neighbor-sampled with ``task.num_neighbors``."""
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


def build_graph_task(cfg: GraphTaskConfig, dataset: LoadedDataset, ctx: TaskContext) -> Task:
    """Mini-batched graph classification, multi-label classification or regression."""
    return GraphTask(dataset, split_index=ctx.split_index, device=ctx.device, metric=cfg.metric,
                     batch_size=ctx.batch_size, num_workers=ctx.num_workers, seed=ctx.seed,
                     rank=ctx.dist.rank, world_size=ctx.dist.world_size)
