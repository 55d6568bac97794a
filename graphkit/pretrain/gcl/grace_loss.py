"""GRACE's contrastive objective: InfoNCE with intra- and inter-view negatives."""

from __future__ import annotations

from typing import Optional

import torch
import torch.nn.functional as F
from torch import Tensor


def grace_semi_loss(z1: Tensor, z2: Tensor, tau: float, batch_size: Optional[int] = None) -> Tensor:
    """Per-node loss of view 1 against view 2 (Zhu et al., https://arxiv.org/abs/2006.04131, Eq. 1):

    ``l_i = -log( e^{θ(u_i, v_i)/τ} / (Σ_j e^{θ(u_i, v_j)/τ} + Σ_{j≠i} e^{θ(u_i, u_j)/τ}) )``

    with ``θ`` the cosine similarity. ``batch_size`` rows at a time bounds memory at
    ``O(batch_size · N)`` instead of ``O(N²)``; same values.

    Shapes:
        ``z1 [N, d]``, ``z2 [N, d]`` -> ``[N]``
    """
    u, v = F.normalize(z1, dim=-1), F.normalize(z2, dim=-1)
    n = u.size(0)
    step = n if batch_size is None else batch_size
    losses = []
    for start in range(0, n, step):
        rows = torch.arange(start, min(start + step, n), device=u.device)
        inter = u[rows] @ v.t() / tau  # [B, N]
        intra = u[rows] @ u.t() / tau  # [B, N]
        positive = inter[torch.arange(len(rows)), rows]
        # the self-similarity of the intra-view block is left out of the denominator
        intra = intra.index_put((torch.arange(len(rows), device=u.device), rows),
                                torch.tensor(float("-inf"), device=u.device))
        denominator = torch.logsumexp(torch.cat([inter, intra], dim=1), dim=1)
        losses.append(denominator - positive)
    return torch.cat(losses)


def grace_loss(z1: Tensor, z2: Tensor, tau: float, batch_size: Optional[int] = None) -> Tensor:
    """The symmetric GRACE loss ``mean_i (l(u_i) + l(v_i)) / 2`` over nodes (scalar).

    Without ``batch_size`` both directions share one inter-view similarity matrix (three
    ``N x N`` products instead of the reference code's four); with it, each direction is
    computed in row blocks (:func:`grace_semi_loss`)."""
    if batch_size is not None:
        return 0.5 * (grace_semi_loss(z1, z2, tau, batch_size) + grace_semi_loss(z2, z1, tau, batch_size)).mean()
    u, v = F.normalize(z1, dim=-1), F.normalize(z2, dim=-1)
    inter = u @ v.t() / tau  # [N, N]: row i = u_i against every v_j, column i = v_i against every u_j
    eye = torch.eye(u.size(0), dtype=torch.bool, device=u.device)
    intra_u = (u @ u.t() / tau).masked_fill(eye, float("-inf"))
    intra_v = (v @ v.t() / tau).masked_fill(eye, float("-inf"))
    positive = inter.diagonal()
    loss_u = torch.logaddexp(torch.logsumexp(inter, dim=1), torch.logsumexp(intra_u, dim=1)) - positive
    loss_v = torch.logaddexp(torch.logsumexp(inter, dim=0), torch.logsumexp(intra_v, dim=1)) - positive
    return 0.5 * (loss_u + loss_v).mean()
