"""Unstructured magnitude pruning on Zhu & Gupta's gradual cubic schedule."""

from __future__ import annotations

import torch
from torch import Tensor, nn
from torch.nn.utils import parametrize


class _StraightThroughMask(torch.autograd.Function):
    """``w * mask`` whose backward passes the dense gradient to ``w``: pruned weights keep
    learning, so a mask update can regrow them."""

    @staticmethod
    def forward(ctx, weight: Tensor, mask: Tensor) -> Tensor:
        return weight * mask

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[Tensor, None]:
        return grad, None


class _WeightMask(nn.Module):
    """A parametrization ``w -> w * mask`` whose mask is a buffer (saved in checkpoints)."""

    def __init__(self, shape: torch.Size, regrow: bool = False) -> None:
        super().__init__()
        self.regrow = regrow
        self.register_buffer("mask", torch.ones(shape))

    def forward(self, weight: Tensor) -> Tensor:
        if self.regrow:
            return _StraightThroughMask.apply(weight, self.mask)
        return weight * self.mask


class MagnitudePruner:
    """Gradual magnitude pruning (`Zhu & Gupta, "To prune, or not to prune"
    <https://arxiv.org/abs/1710.01878>`_): the sparsity of every masked weight matrix
    follows ``s_t = s_f (1 - (1 - t / T)^3)`` over ``T`` steps, and every ``every`` steps
    the smallest-magnitude surviving weights of each matrix are masked until it reaches
    ``s_t``. Masks only grow, unless ``regrow``: then pruned weights still receive their
    (dense, straight-through) gradient and every update keeps the ``1 - s_t`` largest
    magnitudes among all weights, so a pruned weight whose gradient grew it comes back
    (gradient-based regrowth: RigL, `Evci et al. <https://arxiv.org/abs/1911.11134>`_,
    regrows by the gradient itself; here the gradient steps accumulate in the pruned
    weights until they win on magnitude). The masks live in the model's state (checkpointed).

    Args:
        sparsity: final fraction ``s_f`` of zero weights per matrix, in [0, 1).
        total_steps: ``T``, steps of the schedule (its end holds ``s_f``).
        every: steps between mask updates (default 50).
        regrow: let pruned weights learn and come back (default False).
    """

    def __init__(self, sparsity: float, total_steps: int, every: int = 50, regrow: bool = False) -> None:
        self.sparsity, self.total_steps, self.every, self.regrow = sparsity, total_steps, every, regrow

    @staticmethod
    def targets(layers: nn.ModuleList) -> list[nn.Linear]:
        """The weight matrices of GPS layers that are masked: every ``nn.Linear`` in them."""
        return [m for layer in layers for m in layer.modules() if isinstance(m, nn.Linear)]

    def attach(self, layers: nn.ModuleList) -> None:
        """Adds an all-ones mask to every target weight (before optimizer creation)."""
        if not 0.0 <= self.sparsity < 1.0:
            raise ValueError(f"weight sparsity must be in [0, 1), got {self.sparsity}")
        for m in self.targets(layers):
            if not parametrize.is_parametrized(m, "weight"):
                parametrize.register_parametrization(m, "weight", _WeightMask(m.weight.shape, self.regrow))

    def sparsity_at(self, step: int) -> float:
        t = min(max(step, 0), self.total_steps) / max(self.total_steps, 1)
        return self.sparsity * (1.0 - (1.0 - t) ** 3)

    @torch.no_grad()
    def update(self, layers: nn.ModuleList, step: int) -> None:
        """Updates the masks when ``step`` is on the schedule's grid (or its last step)."""
        if self.sparsity == 0.0 or (step % self.every != 0 and step != self.total_steps):
            return
        target = self.sparsity_at(step)
        for m in self.targets(layers):
            mask = m.parametrizations.weight[0].mask
            k = int(round(target * mask.numel()))
            if k == 0:
                continue
            original = m.parametrizations.weight.original
            magnitude = (original if self.regrow else original * mask).abs().flatten()
            drop = torch.topk(magnitude, k, largest=False, sorted=False).indices
            if self.regrow:
                mask.fill_(1.0)
            mask.view(-1)[drop] = 0.0

    @staticmethod
    def weight_sparsity(layers: nn.ModuleList) -> float:
        """Fraction of exactly-zero entries over the target weight matrices."""
        zeros = total = 0
        for m in MagnitudePruner.targets(layers):
            w = m.weight
            zeros += int((w == 0).sum())
            total += w.numel()
        return zeros / max(total, 1)
