"""A second pretraining objective in one file: masked feature reconstruction (the objective
of GraphMAE, Hou et al., https://arxiv.org/abs/2205.10803, in its simplest form), run by
``graphkit pretrain`` on the shared trainer (checkpoints, resume, W&B) like GraphCLIP:

    graphkit pretrain configs/gcn/cora.yaml --plugin examples/custom_pretraining_task.py \\
        task.name=masked_features task.metric=cosine_error trainer.epochs=50

A share of the nodes has its features replaced by zeros; the model (any registered node
model, here ``gcn``) reconstructs them from their neighbourhood; the loss is
``1 - cosine`` (GraphMAE's scaled cosine error with exponent 1) on the masked nodes. The
validation metric is the same error on masked validation nodes, so the trainer keeps the
checkpoint that reconstructs held-out nodes best. Nothing inside graphkit is edited.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from graphkit.config import TaskConfig
from graphkit.datasets import LoadedDataset
from graphkit.plugins import register_task
from graphkit.tasks import TaskContext


@dataclass(frozen=True)
class MaskedFeaturesConfig(TaskConfig):
    """Args:
    mask_rate: share of the nodes whose features are hidden in each training step.
    """

    metric: str = "cosine_error"
    mask_rate: float = 0.5

    def __post_init__(self) -> None:
        if self.metric != "cosine_error":
            raise ValueError(f"task.metric: masked_features reports cosine_error, not {self.metric!r}")
        if not 0 < self.mask_rate < 1:
            raise ValueError(f"task.mask_rate must be in (0, 1), got {self.mask_rate}")


class MaskedFeaturesTask:
    """Reconstruct hidden node features from the graph (the protocol of graphkit.tasks.Task)."""

    higher_is_better = False

    def __init__(self, dataset: LoadedDataset, cfg: MaskedFeaturesConfig, ctx: TaskContext) -> None:
        if dataset.is_graph_level or dataset.node_encoder != "linear":
            raise ValueError("masked_features needs one graph with float node features")
        self.data = dataset.data.to(ctx.device)
        self.metric = cfg.metric
        self.mask_rate = cfg.mask_rate
        self.out_channels = dataset.num_features  # the model predicts the features back
        split = dataset.splits[ctx.split_index]
        self.index = {k: v.to(ctx.device) for k, v in split.items()}
        # fixed masks for evaluation, so the validation error is comparable across epochs
        generator = torch.Generator().manual_seed(ctx.seed)
        self.eval_masks = {k: v[torch.rand(len(v), generator=generator) < cfg.mask_rate].to(ctx.device)
                           for k, v in self.index.items()}

    def _error(self, model: nn.Module, masked: Tensor) -> Tensor:
        data = self.data.clone()
        data.x = data.x.clone()
        data.x[masked] = 0.0
        out = model(data)[masked]
        return 1.0 - F.cosine_similarity(out, self.data.x[masked], dim=-1)

    def train_batches(self, epoch: int) -> Iterator[Tensor]:
        train = self.index["train"]
        yield train[torch.rand(len(train), device=train.device) < self.mask_rate]

    def training_step(self, model: nn.Module, batch: Tensor) -> Tensor:
        return self._error(model, batch).mean()

    def eval_batches(self, split: str) -> Iterator[Tensor]:
        yield self.eval_masks[split]

    def eval_step(self, model: nn.Module, batch: Tensor) -> tuple[Tensor, Tensor]:
        error = self._error(model, batch).detach().cpu()
        return error, torch.zeros_like(error)

    def metrics(self, pred: Tensor, target: Tensor) -> dict[str, float]:
        return {self.metric: float(pred.mean())}


@register_task("masked_features", MaskedFeaturesConfig, pretraining=True)
def build_masked_features(cfg: MaskedFeaturesConfig, dataset: LoadedDataset, ctx: TaskContext) -> MaskedFeaturesTask:
    return MaskedFeaturesTask(dataset, cfg, ctx)
