"""Transductive node classification (single- or multi-label), full-batch."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Optional

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from graphkit.config.run_config import TaskConfig
from graphkit.datasets.loaded_dataset import NODE_MULTILABEL, LoadedDataset
from graphkit.tasks import metrics as M


@dataclass(frozen=True)
class NodeTaskConfig(TaskConfig):
    """Options of node classification (``node_classification``, ``node_multilabel``).

    Args:
        num_neighbors: neighbor-sampling fan-out per layer (e.g. [10, 10]) for
            mini-batches of ``data.batch_size`` seed nodes; empty = full-batch training.
        eval_chunk_size: target nodes per chunk of layer-wise full-graph inference.
    """

    num_neighbors: tuple[int, ...] = ()
    eval_chunk_size: int = 65536

    def __post_init__(self) -> None:
        if any(k == 0 or k < -1 for k in self.num_neighbors):
            raise ValueError("task.num_neighbors entries must be positive or -1 (all neighbours)")
        if self.eval_chunk_size < 1:
            raise ValueError("task.eval_chunk_size must be >= 1")


def node_loss(out: Tensor, y: Tensor, multilabel: bool) -> Tensor:
    """Cross-entropy, or binary cross-entropy against multi-hot labels."""
    if multilabel:
        return F.binary_cross_entropy_with_logits(out, y.float())
    return F.cross_entropy(out, y)


def node_metric_names(multilabel: bool, num_classes: int, metric: str) -> list[str]:
    """Metrics reported for node classification; always includes ``metric``."""
    names = ["micro_f1", "macro_f1"] if multilabel else ["accuracy", "macro_f1", "cross_entropy"]
    if not multilabel and num_classes == 2:
        names.append("rocauc")
    return names if metric in names else names + [metric]


class NodeTask:
    """Full-batch node classification on one graph and one split.

    Single-label: cross-entropy, metrics accuracy and macro-F1 (plus ROC-AUC for two
    classes). Multi-label (multi-hot ``y``): binary cross-entropy, micro/macro-F1 with
    top-k prediction.

    Args:
        dataset: a node-level :class:`LoadedDataset`.
        split_index: which of ``dataset.splits`` to use.
        device: where the graph lives.
        metric: primary metric (default: the dataset's).
    """

    def __init__(
        self,
        dataset: LoadedDataset,
        *,
        split_index: int,
        device: torch.device,
        metric: Optional[str] = None,
    ) -> None:
        self.multilabel = dataset.task == NODE_MULTILABEL
        self.data = dataset.data.to(device)
        split = dataset.splits[split_index]
        self.index = {k: v.to(device) for k, v in split.items()}
        self.out_channels = dataset.num_classes
        self.metric = metric or dataset.metric
        self.higher_is_better = M.metric_direction(self.metric)
        self.metric_names = node_metric_names(self.multilabel, dataset.num_classes, self.metric)

    def train_batches(self, epoch: int) -> Iterator[Tensor]:
        yield self.index["train"]

    def training_step(self, model: nn.Module, batch: Tensor) -> Tensor:
        return node_loss(model(self.data)[batch], self.data.y[batch], self.multilabel)

    def eval_batches(self, split: str) -> Iterator[Tensor]:
        yield self.index[split]

    def eval_step(self, model: nn.Module, batch: Tensor) -> tuple[Tensor, Tensor]:
        out = model(self.data)
        return out[batch].detach().cpu(), self.data.y[batch].cpu()

    def metrics(self, pred: Tensor, target: Tensor) -> dict[str, float]:
        return M.compute(self.metric_names, pred, target)
