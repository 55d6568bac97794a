"""Graph-level classification, multi-label/multi-task (OGB-style, NaN = missing) and regression."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Optional

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch_geometric.data import Batch
from torch_geometric.loader import DataLoader

from graphkit.datasets.loaded_dataset import (
    GRAPH_CLASSIFICATION,
    GRAPH_MULTILABEL,
    GRAPH_REGRESSION,
    LoadedDataset,
)
from graphkit.config.run_config import TaskConfig
from graphkit.errors import ConfigError
from graphkit.tasks import metrics as M

_METRICS = {
    GRAPH_CLASSIFICATION: ["accuracy", "macro_f1", "cross_entropy"],
    GRAPH_MULTILABEL: ["rocauc", "ap"],
    GRAPH_REGRESSION: ["mae", "rmse"],
}


@dataclass(frozen=True)
class GraphTaskConfig(TaskConfig):
    """Options of graph-level tasks (classification, multi-label, regression): ``name`` and
    ``metric`` only; batch size and loader workers are ``data.batch_size`` /
    ``data.num_workers``."""


class GraphTask:
    """Mini-batched graph-level learning on one split.

    Losses: cross-entropy (classification), binary cross-entropy over labelled entries
    (multi-label; NaN targets are ignored as in OGB), L1 when the metric is MAE else MSE
    (regression).

    Each epoch's order is a permutation drawn from ``(seed, epoch)`` alone, so it is the
    same after a resume and on every rank. Under data parallelism each global batch of
    ``batch_size`` graphs is split across ranks (rank ``r`` takes items ``r::world_size``),
    so N processes see exactly the batches one process would.

    Args:
        dataset: a graph-level :class:`LoadedDataset`.
        split_index: which of ``dataset.splits`` to use.
        device: where batches are moved.
        metric: primary metric (default: the dataset's).
        batch_size: graphs per global batch.
        num_workers: DataLoader workers.
        seed: seeds the per-epoch permutation.
        rank, world_size: this process's shard of every batch and evaluation split.
    """

    def __init__(
        self,
        dataset: LoadedDataset,
        *,
        split_index: int,
        device: torch.device,
        metric: Optional[str] = None,
        batch_size: int = 32,
        num_workers: int = 0,
        seed: int = 0,
        rank: int = 0,
        world_size: int = 1,
    ) -> None:
        if dataset.task not in _METRICS:
            raise ConfigError(f"dataset {dataset.name} has task {dataset.task}, not a graph task")
        self.kind = dataset.task
        self.device = device
        self.metric = metric or dataset.metric
        self.higher_is_better = M.metric_direction(self.metric)
        names = _METRICS[self.kind]
        self.metric_names = names if self.metric in names else names + [self.metric]
        self.out_channels = dataset.num_classes
        split = dataset.splits[split_index]
        graphs = dataset.graphs
        self.subsets = {k: [graphs[int(i)] for i in idx] for k, idx in split.items()}
        self.batch_size, self.num_workers, self.seed = batch_size, num_workers, seed
        self.rank, self.world_size = rank, world_size
        if batch_size < world_size:
            raise ConfigError(f"data.batch_size ({batch_size}) must be >= the number of processes ({world_size})")

    def _loader(self, split: str, batches: list[list[int]]) -> DataLoader:
        return DataLoader(self.subsets[split], batch_sampler=batches, num_workers=self.num_workers)

    def train_batches(self, epoch: int) -> Iterator[Batch]:
        n = len(self.subsets["train"])
        order = torch.randperm(n, generator=torch.Generator().manual_seed(self.seed * 1_000_003 + epoch))
        batches = [
            order[start:start + self.batch_size][self.rank::self.world_size].tolist()
            for start in range(0, n, self.batch_size)
            # every rank must take the same number of steps, or DDP waits forever
            if min(self.batch_size, n - start) >= self.world_size
        ]
        for batch in self._loader("train", batches):
            yield batch.to(self.device)

    def training_step(self, model: nn.Module, batch: Batch) -> Tensor:
        return self.loss(model(batch), batch)

    def loss(self, out: Tensor, batch: Batch) -> Tensor:
        """The training loss of the model's output ``out`` on ``batch``."""
        y = batch.y
        if self.kind == GRAPH_CLASSIFICATION:
            return F.cross_entropy(out, y.view(-1).long())
        y = y.view(out.shape).float()
        if self.kind == GRAPH_MULTILABEL:
            labelled = ~torch.isnan(y)
            return F.binary_cross_entropy_with_logits(out[labelled], y[labelled])
        if self.metric == "mae":
            return F.l1_loss(out, y)
        return F.mse_loss(out, y)

    def eval_batches(self, split: str) -> Iterator[Batch]:
        shard = list(range(len(self.subsets[split])))[self.rank::self.world_size]
        batches = [shard[i:i + self.batch_size] for i in range(0, len(shard), self.batch_size)]
        for batch in self._loader(split, batches):
            yield batch.to(self.device)

    def eval_step(self, model: nn.Module, batch: Batch) -> tuple[Tensor, Tensor]:
        out = model(batch)
        target = batch.y if self.kind == GRAPH_CLASSIFICATION else batch.y.view(out.shape)
        return out.detach().cpu(), target.cpu()

    def metrics(self, pred: Tensor, target: Tensor) -> dict[str, float]:
        return M.compute(self.metric_names, pred, target)
