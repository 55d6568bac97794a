"""CLIP's symmetric InfoNCE between paired embeddings."""

from __future__ import annotations

from typing import Optional

import torch
import torch.nn.functional as F
from torch import Tensor


def info_nce(a: Tensor, b: Tensor, scale: Tensor | float, b_all: Optional[Tensor] = None,
             a_all: Optional[Tensor] = None, offset: int = 0) -> Tensor:
    """Symmetric InfoNCE (Radford et al., https://arxiv.org/abs/2103.00020): the mean of
    ``CE(scale * a @ b_all.T, i + offset)`` and ``CE(scale * b @ a_all.T, i + offset)``.

    Row ``i`` of ``a`` is paired with row ``i`` of ``b``. ``a_all`` / ``b_all`` (default
    ``a`` / ``b``) hold the negatives, e.g. every rank's rows gathered, with this rank's
    rows starting at ``offset``. Inputs are expected unit-norm (cosine logits).

    Shapes:
        ``a [B, d]``, ``b [B, d]``, ``a_all``/``b_all [B_all, d]`` -> scalar
    """
    a_all = a if a_all is None else a_all
    b_all = b if b_all is None else b_all
    target = torch.arange(a.size(0), device=a.device) + offset
    loss_ab = F.cross_entropy(scale * a @ b_all.t(), target)
    loss_ba = F.cross_entropy(scale * b @ a_all.t(), target)
    return 0.5 * (loss_ab + loss_ba)
