"""AP and AUC-ROC of dynamic link prediction, averaged over evaluation batches as in DyGLib,
and TGB's mean reciprocal rank."""

from __future__ import annotations

import numpy as np
import torch
from sklearn.metrics import average_precision_score, roc_auc_score
from torch import Tensor


def batch_averaged_metrics(pos: Tensor, neg: Tensor, batch: Tensor) -> tuple[float, float]:
    """(AP, AUC-ROC) of each batch (its positives against its negatives), averaged over
    batches: DyGLib's ``evaluate_model_link_prediction`` (scikit-learn's
    ``average_precision_score`` / ``roc_auc_score`` per batch, then the mean).

    Shapes:
        ``pos [P]``, ``neg [P]`` (one negative per positive), ``batch [P]`` -> two floats
    """
    if pos.numel() == 0:
        return float("nan"), float("nan")
    pos_np, neg_np, b_np = pos.double().numpy(), neg.double().numpy(), batch.long().numpy()
    aps, aucs = [], []
    for b in np.unique(b_np):
        sel = b_np == b
        scores = np.concatenate([pos_np[sel], neg_np[sel]])
        labels = np.concatenate([np.ones(sel.sum()), np.zeros(sel.sum())])
        aps.append(average_precision_score(labels, scores))
        aucs.append(roc_auc_score(labels, scores))
    return float(np.mean(aps)), float(np.mean(aucs))


def mean_reciprocal_rank(pos: Tensor, neg: Tensor) -> float:
    """MRR of each positive against its own negatives, TGB's ``Evaluator`` (the ``mrr`` of
    ``tgb.linkproppred.evaluate``): a positive's rank is one plus the mean of the number of
    negatives scoring above it and the number scoring at least as high, so ties count half.
    NaN negatives (pads of a shorter list) are left out.

    Shapes:
        ``pos [P]``, ``neg [P, K]`` -> a float (NaN for no positive)
    """
    if pos.numel() == 0:
        return float("nan")
    pos, neg = pos.double().view(-1, 1), neg.double()
    known = ~torch.isnan(neg)
    optimistic = ((neg > pos) & known).sum(1)
    pessimistic = ((neg >= pos) & known).sum(1)
    rank = 0.5 * (optimistic + pessimistic).double() + 1
    return float((1.0 / rank).mean())
