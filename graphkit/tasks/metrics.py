"""Metric functions on concatenated predictions; OGB's Evaluator where one exists.

Every function takes ``pred`` (raw model outputs: logits or regression values) and
``target`` as CPU tensors and returns a float. ``METRICS`` maps names to
``(function, higher_is_better)``.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import torch
from sklearn.metrics import f1_score
from torch import Tensor

from graphkit.errors import ConfigError


# metric -> the OGB dataset whose Evaluator computes it, and that dataset's task count
_OGB_EVALUATORS = {"rocauc": ("ogbg-molhiv", 1), "ap": ("ogbg-molpcba", 128), "rmse": ("ogbg-molesol", 1)}


def _ogb_eval(key: str, pred: Tensor, target: Tensor) -> float:
    """OGB's graph-property metric ``key`` over tasks (columns), NaN targets unlabelled.

    OGB's Evaluator checks the task count of the dataset it is named after, so it runs
    when the shapes match (molhiv, molpcba, esol); other task counts (LRGB Peptides-func
    has 10) get the same computation per task here: ROC-AUC / AP averaged over tasks with
    both classes labelled, RMSE averaged over tasks.
    """
    y_true = target.reshape(target.size(0), -1).float().numpy()
    y_pred = pred.reshape(pred.size(0), -1).float().numpy()
    dataset, num_tasks = _OGB_EVALUATORS[key]
    if y_true.shape[1] == num_tasks:
        from ogb.graphproppred import Evaluator

        return float(Evaluator(dataset).eval({"y_true": y_true, "y_pred": y_pred})[key])
    from sklearn.metrics import average_precision_score, roc_auc_score

    scores = []
    for t in range(y_true.shape[1]):
        labelled = ~np.isnan(y_true[:, t])
        y, p = y_true[labelled, t], y_pred[labelled, t]
        if key == "rmse":
            scores.append(float(np.sqrt(np.mean((y - p) ** 2))))
        elif (y == 1).any() and (y == 0).any():
            score = roc_auc_score if key == "rocauc" else average_precision_score
            scores.append(float(score(y, p)))
    if not scores:
        raise ValueError(f"{key}: no task has both classes labelled")
    return float(np.mean(scores))


def accuracy(pred: Tensor, target: Tensor) -> float:
    if pred.dim() == 2 and pred.size(1) == 1:  # binary with a single logit
        labels = (pred[:, 0] > 0).long()
    else:
        labels = pred.argmax(dim=-1)
    return float((labels == target.view(-1).long()).float().mean())


def macro_f1(pred: Tensor, target: Tensor) -> float:
    if target.dim() == 2 and target.size(1) > 1:
        y, p = _topk_multilabel(pred, target)
        return float(f1_score(y, p, average="macro", zero_division=0))
    labels = pred.argmax(dim=-1) if pred.size(-1) > 1 else (pred.view(-1) > 0).long()
    return float(f1_score(target.view(-1).numpy(), labels.numpy(), average="macro"))


def rocauc(pred: Tensor, target: Tensor) -> float:
    """ROC-AUC averaged over tasks with both classes present (OGB's molhiv Evaluator).

    Single-label multi-class logits ``[N, C>1]`` with integer targets are scored one-vs-rest.
    """
    if pred.dim() == 2 and pred.size(1) > 1 and target.dim() == 1:
        from sklearn.metrics import roc_auc_score

        probs = torch.softmax(pred.float(), dim=-1).numpy()
        if pred.size(1) == 2:
            return float(roc_auc_score(target.numpy(), probs[:, 1]))
        return float(roc_auc_score(target.numpy(), probs, multi_class="ovr"))
    return _ogb_eval("rocauc", pred, target)


def average_precision(pred: Tensor, target: Tensor) -> float:
    """AP averaged over tasks (OGB's molpcba computation; LRGB Peptides-func's metric)."""
    return _ogb_eval("ap", pred, target)


def cross_entropy(pred: Tensor, target: Tensor) -> float:
    """Mean negative log-likelihood of the targets (a smoother model-selection signal than
    accuracy on small validation sets)."""
    return float(torch.nn.functional.cross_entropy(pred.float(), target.view(-1).long()))


def mae(pred: Tensor, target: Tensor) -> float:
    return float((pred.view(-1).float() - target.view(-1).float()).abs().mean())


def rmse(pred: Tensor, target: Tensor) -> float:
    return _ogb_eval("rmse", pred, target)


def _topk_multilabel(pred: Tensor, target: Tensor) -> tuple[np.ndarray, np.ndarray]:
    """Predicts each node's top-k labels, k = its true label count (DeepWalk's protocol)."""
    y = target.numpy() > 0.5
    k = y.sum(axis=1)
    order = np.argsort(-pred.numpy(), axis=1)
    out = np.zeros_like(y)
    for i in range(y.shape[0]):
        out[i, order[i, : k[i]]] = True
    return y, out


def micro_f1(pred: Tensor, target: Tensor) -> float:
    if target.dim() == 2 and target.size(1) > 1:
        y, p = _topk_multilabel(pred, target)
        return float(f1_score(y, p, average="micro", zero_division=0))
    labels = pred.argmax(dim=-1)
    return float(f1_score(target.view(-1).numpy(), labels.numpy(), average="micro"))


METRICS: dict[str, tuple[Callable[[Tensor, Tensor], float], bool]] = {
    "accuracy": (accuracy, True),
    "macro_f1": (macro_f1, True),
    "micro_f1": (micro_f1, True),
    "rocauc": (rocauc, True),
    "ap": (average_precision, True),
    "cross_entropy": (cross_entropy, False),
    "mae": (mae, False),
    "rmse": (rmse, False),
}


def metric_direction(name: str) -> bool:
    """True when higher is better for metric ``name``."""
    if name in METRICS:
        return METRICS[name][1]
    if name.startswith("hits@") or name in ("mrr", "auc"):
        return True
    raise ConfigError(f"unknown metric {name!r}; valid: {', '.join(sorted(METRICS))}, hits@K, mrr, auc")


def compute(names: list[str], pred: Tensor, target: Tensor) -> dict[str, float]:
    """Metrics ``names`` of one split."""
    out = {}
    for name in names:
        if name not in METRICS:
            raise ConfigError(f"unknown metric {name!r}; valid: {', '.join(sorted(METRICS))}")
        out[name] = METRICS[name][0](pred, target)
    return out
