"""Output distillation from the dense model while a sparsified one is fine-tuned."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from graphkit.datasets.loaded_dataset import GRAPH_CLASSIFICATION, GRAPH_MULTILABEL


def distillation_loss(student: Tensor, teacher: Tensor, kind: str, metric: str, temperature: float = 1.0) -> Tensor:
    """How far the student's outputs are from the (frozen) teacher's on the same graphs.

    Classification: Hinton et al.'s ``T^2 KL(softmax(t/T) || softmax(s/T))``. Multi-label:
    binary cross-entropy against the teacher's probabilities at temperature ``T``, over every
    entry (the teacher labels the entries the dataset leaves unlabelled too). Regression: the
    task's own loss (L1 under MAE, else MSE) with the teacher's predictions as targets.
    """
    teacher = teacher.detach()
    if kind == GRAPH_CLASSIFICATION:
        t = temperature
        return F.kl_div(F.log_softmax(student / t, -1), F.log_softmax(teacher / t, -1), log_target=True,
                        reduction="batchmean") * t * t
    if kind == GRAPH_MULTILABEL:
        return F.binary_cross_entropy_with_logits(student / temperature, torch.sigmoid(teacher / temperature))
    if metric == "mae":
        return F.l1_loss(student, teacher)
    return F.mse_loss(student, teacher)
