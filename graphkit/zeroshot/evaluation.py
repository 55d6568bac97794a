"""Accuracy, macro-F1 and a per-class table for node classification predictions."""

from __future__ import annotations

from typing import Sequence

import numpy as np
from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support
from torch import Tensor


def classification_metrics(pred: Tensor, target: Tensor, class_names: Sequence[str]) -> dict:
    """``accuracy``, ``macro_f1`` and ``per_class`` rows (precision, recall, f1, support)."""
    y, p = target.numpy(), pred.numpy()
    labels = np.arange(len(class_names))
    prec, rec, f1, support = precision_recall_fscore_support(y, p, labels=labels, zero_division=0)
    return {
        "accuracy": float(accuracy_score(y, p)),
        "macro_f1": float(f1_score(y, p, labels=labels[support > 0], average="macro", zero_division=0)),
        "per_class": [{"class": str(n), "precision": float(prec[k]), "recall": float(rec[k]),
                       "f1": float(f1[k]), "support": int(support[k])} for k, n in enumerate(class_names)],
    }


def per_class_table(rows: list[dict], width: int = 28) -> str:
    lines = [f"{'class':<{width}} {'prec':>6} {'recall':>6} {'f1':>6} {'n':>6}"]
    for r in rows:
        lines.append(f"{r['class'][:width]:<{width}} {r['precision']:6.3f} {r['recall']:6.3f} "
                     f"{r['f1']:6.3f} {r['support']:6d}")
    return "\n".join(lines)
