"""Link-prediction metrics: OGB's Evaluator for Hits@K, ranks for MRR, sklearn for AUC."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import torch
from torch import Tensor


def hits_at_k(pos: Tensor, neg: Tensor, k: int) -> float:
    """Fraction of positives scored above the k-th best negative (OGB's ``Evaluator``)."""
    from ogb.linkproppred import Evaluator

    evaluator = Evaluator(name="ogbl-ddi")  # a Hits@K evaluator; K is set per call
    evaluator.K = k
    return float(evaluator.eval({"y_pred_pos": pos, "y_pred_neg": neg})[f"hits@{k}"])


def mean_reciprocal_rank(pos: Tensor, neg: Tensor) -> float:
    """MRR of each positive ranked against negatives.

    ``neg`` is either shared by all positives (``[M]``, ranked once by sorting) or one
    row per positive (``[P, M]``, OGB citation2's protocol). Ties count half, as in OGB:
    rank = 1 + (#negatives above + #negatives at or above) / 2.

    Shapes:
        ``pos [P]``, ``neg [M]`` or ``[P, M]`` -> scalar
    """
    pos = pos.view(-1).double()
    if neg.dim() == 2:
        above = (neg.double() > pos.view(-1, 1)).sum(1)
        at_or_above = (neg.double() >= pos.view(-1, 1)).sum(1)
    else:
        sorted_neg = torch.sort(neg.view(-1).double()).values
        m = sorted_neg.numel()
        above = m - torch.searchsorted(sorted_neg, pos, right=True)
        at_or_above = m - torch.searchsorted(sorted_neg, pos, right=False)
    rank = 1.0 + 0.5 * (above + at_or_above).double()
    return float((1.0 / rank).mean())


def roc_auc(pos: Tensor, neg: Tensor) -> float:
    from sklearn.metrics import roc_auc_score

    y = np.concatenate([np.ones(pos.numel()), np.zeros(neg.numel())])
    score = torch.cat([pos.view(-1), neg.view(-1)]).double().numpy()
    return float(roc_auc_score(y, score))


def link_metrics(pos: Tensor, neg: Tensor, ks: Sequence[int] = (20, 50, 100)) -> dict[str, float]:
    """``hits@K`` for each K, ``mrr`` and ``auc`` of positive vs negative scores.

    Shared negatives (``neg [M]``) give Hits@K; per-positive negatives (``neg [P, M]``,
    citation2) give Hits@K per row as OGB does.
    """
    pos, neg = pos.detach().cpu().float(), neg.detach().cpu().float()
    out: dict[str, float] = {}
    if neg.dim() == 2:
        from ogb.linkproppred import Evaluator

        res = Evaluator(name="ogbl-citation2").eval({"y_pred_pos": pos, "y_pred_neg": neg})
        for key in ("hits@1_list", "hits@3_list", "hits@10_list"):
            out[key[:-5]] = float(res[key].mean())
        out["mrr"] = float(res["mrr_list"].mean())
        out["auc"] = roc_auc(pos.repeat_interleave(neg.size(1)), neg.reshape(-1))
        return out
    for k in ks:
        out[f"hits@{k}"] = hits_at_k(pos, neg, k)
    out["mrr"] = mean_reciprocal_rank(pos, neg)
    out["auc"] = roc_auc(pos, neg)
    return out
