"""A task wrapper that adds the FLOPs-budget penalty and the weight-pruning schedule."""

from __future__ import annotations

from typing import Any, Iterator, Optional

import torch
from torch import Tensor, nn

from graphkit.sparsify.budget_plan import PlanCosts
from graphkit.sparsify.distillation import distillation_loss
from graphkit.sparsify.magnitude_pruner import MagnitudePruner
from graphkit.sparsify.masked_gps import MaskedGPS


class SparsifyTask:
    """Runs the wrapped task's protocol on a :class:`MaskedGPS`, so that the shared
    :class:`~graphkit.trainers.trainer.Trainer` fine-tunes it (checkpointed, resumable):
    each training step first advances the weight-pruning schedule (the step counter is
    a buffer of the model, so a resumed run continues it), then adds
    ``penalty * (relu(r - t) + (r - t)^2)`` to the loss, ``r`` the expected FLOPs ratio
    under the gates' open probabilities and ``t`` the target (while the gates are
    learned; a fixed plan has no penalty). The target ramps linearly from 1 to its final
    value over the first ``ramp_steps`` steps (CoFi's schedule), so that the gates close
    gradually instead of all at once under a large initial penalty. With a ``teacher`` (the
    dense model) the task loss is mixed with a distillation loss toward the teacher's outputs:
    ``(1 - distill) * task + distill * distillation`` (CoFi's recovery of pruned models).

    Args:
        task: the trained run's task.
        model: the masked model being fine-tuned.
        costs: closed-form FLOPs of plans on the calibration graphs.
        target: FLOPs budget as a fraction of the dense model's.
        penalty: weight of the budget penalty (0 = none).
        pruner: the weight-pruning schedule, or ``None``.
        max_batches: training batches per epoch (the first of the epoch's shuffled
            order; ``None`` = all).
        ramp_steps: steps over which the target falls from 1 to ``target`` (0 = none).
        teacher: the frozen dense model to distil from, or ``None``.
        distill: weight of the distillation loss in [0, 1] (0 = none).
        temperature: distillation temperature (classification and multi-label).
    """

    def __init__(self, task: Any, model: MaskedGPS, costs: PlanCosts, target: float, penalty: float,
                 pruner: Optional[MagnitudePruner] = None, max_batches: Optional[int] = None,
                 ramp_steps: int = 0, teacher: Optional[nn.Module] = None, distill: float = 0.0,
                 temperature: float = 1.0) -> None:
        if distill > 0 and teacher is None:
            raise ValueError("distillation needs the dense teacher model")
        self.teacher, self.distill, self.temperature = teacher, distill, temperature
        self.task, self.model, self.costs = task, model, costs
        self.ramp_steps = ramp_steps
        self.max_batches = max_batches
        self.target, self.penalty, self.pruner = target, penalty, pruner
        self.metric = task.metric
        self.higher_is_better = task.higher_is_better
        self.out_channels = task.out_channels

    def expected_ratio(self) -> Tensor:
        """Expected FLOPs / dense FLOPs under the current gates."""
        m = self.model
        probs = m.open_probabilities()
        n = m.num_layers
        layer = probs["layer"] if probs["layer"] is not None else m.layer_keep
        heads = probs["head"].sum(1) if probs["head"] is not None else m.head_keep.sum(1)
        ffn = probs["ffn"].sum(1) if probs["ffn"] is not None else m.ffn_keep.sum(1)
        if not m.has_attention:
            heads = torch.zeros(n)
        return self.costs.ratio(layer.double(), heads.double(), ffn.double())

    def target_at(self, step: int) -> float:
        """The budget in force at ``step`` (the ramp, then ``target``)."""
        if self.ramp_steps <= 0 or step >= self.ramp_steps:
            return self.target
        return 1.0 - (1.0 - self.target) * step / self.ramp_steps

    def train_batches(self, epoch: int) -> Iterator[Any]:
        for i, batch in enumerate(self.task.train_batches(epoch)):
            if self.max_batches is not None and i >= self.max_batches:
                return
            yield batch

    def training_step(self, model: nn.Module, batch: Any) -> Tensor:
        if self.pruner is not None:
            self.pruner.update(self.model.base.layers, int(self.model.step))
        if self.distill > 0:
            out = model(batch)
            with torch.no_grad():
                target = self.teacher(batch)
            loss = ((1.0 - self.distill) * self.task.loss(out, batch)
                    + self.distill * distillation_loss(out, target, self.task.kind, self.metric, self.temperature))
        else:
            loss = self.task.training_step(model, batch)
        gated = any(g is not None for g in self.model.open_probabilities().values())
        if self.penalty > 0 and gated and not bool(self.model.fixed):
            gap = self.expected_ratio() - self.target_at(int(self.model.step))
            loss = loss + (self.penalty * (gap.clamp(min=0) + gap * gap)).to(loss.dtype)
        self.model.step += 1
        return loss

    def eval_batches(self, split: str) -> Iterator[Any]:
        return self.task.eval_batches(split)

    def eval_step(self, model: nn.Module, batch: Any) -> tuple[Tensor, Tensor]:
        return self.task.eval_step(model, batch)

    def metrics(self, pred: Tensor, target: Tensor) -> dict[str, float]:
        return self.task.metrics(pred, target)
