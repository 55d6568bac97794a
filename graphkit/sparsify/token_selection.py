"""Per-graph top-k selection of tokens (nodes) or edges, with a straight-through estimator."""

from __future__ import annotations

import torch
from torch import Tensor


def keep_counts(counts: Tensor, ratio: float) -> Tensor:
    """How many of each group's ``counts`` items a keep ``ratio`` retains:
    ``ceil(ratio * n)``, at least one for a non-empty group."""
    kept = torch.ceil(counts.double() * ratio).long()
    return torch.minimum(torch.clamp(kept, min=1), counts)


def per_graph_topk(score: Tensor, group: Tensor, ratio: float, num_groups: int) -> Tensor:
    """Boolean mask keeping the ``keep_counts(n_g, ratio)`` highest-scoring items of every
    group ``g`` (ties go to the earlier item, so the choice is deterministic).

    Shapes:
        ``score [M]``, ``group [M]`` -> ``[M]``
    """
    if score.numel() == 0:
        return torch.zeros(0, dtype=torch.bool, device=score.device)
    order = torch.argsort(score, descending=True, stable=True)
    order = order[torch.argsort(group[order], stable=True)]  # grouped, best first
    counts = torch.bincount(group, minlength=num_groups)
    starts = torch.cumsum(counts, 0) - counts
    rank = torch.arange(score.numel(), device=score.device) - starts[group[order]]
    keep = torch.zeros_like(score, dtype=torch.bool)
    keep[order] = rank < keep_counts(counts, ratio)[group[order]]
    return keep


def straight_through_topk(score: Tensor, group: Tensor, ratio: float, num_groups: int,
                          training: bool, tau: float = 1.0) -> Tensor:
    """A 0/1 keep mask of per-graph top-k items whose gradient reaches ``score``.

    In training, Gumbel noise perturbs the scores before the top-k (so that the
    selection explores) and the backward pass sees ``sigmoid(perturbed / tau)``
    (straight-through); the forward value is the hard mask exactly. In evaluation
    the top-k of the clean scores.

    Shapes:
        ``score [M]``, ``group [M]`` -> ``[M]`` float
    """
    if not training:
        return per_graph_topk(score, group, ratio, num_groups).to(score.dtype)
    u = torch.rand_like(score).clamp(1e-6, 1.0 - 1e-6)
    perturbed = score - torch.log(-torch.log(u))
    hard = per_graph_topk(perturbed.detach(), group, ratio, num_groups).to(score.dtype)
    soft = torch.sigmoid(perturbed / tau)
    return hard + (soft - soft.detach())
