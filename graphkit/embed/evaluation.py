"""The DeepWalk / FastRP node classification protocol for embeddings.

For each of ``n_shuffles`` random node orders and each train ratio ``r``, the first
``r * N`` nodes of the order train a classifier on the (fixed) embeddings and the rest
are scored. Multi-label data (a 2-D label matrix) uses one-vs-rest logistic regression
(liblinear, as in the reference scoring script) and predicts, for each test node, its
``k`` most probable labels where ``k`` is its true label count; single-label data (a 1-D
class vector) uses plain multi-class logistic regression. Micro- and Macro-F1 are
averaged over shuffles; Macro-F1 averages over every label column, including labels a
split never sees (which score 0, as in the reference).
"""

from __future__ import annotations

import warnings
from typing import Any, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.multiclass import OneVsRestClassifier
from sklearn.preprocessing import StandardScaler

from graphkit.errors import ConfigError

DEFAULT_RATIOS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


def evaluate_node_classification(
    embedding: Any,
    labels: Any,
    *,
    train_ratios: Sequence[float] = DEFAULT_RATIOS,
    n_shuffles: int = 5,
    C: float = 1.0,
    standardize: bool = True,
    random_state: int | None = 0,
    n_jobs: int | None = None,
) -> dict:
    """Micro/Macro-F1 of logistic regression on ``embedding`` for each train ratio.

    Args:
        embedding: ``[N, d]`` node embeddings.
        labels: ``[N, C]`` 0/1 label matrix (dense, scipy sparse or tensor) for multi-label
            data, or ``[N]`` integer classes for multi-class data.
        train_ratios: shares of nodes used for training, each in (0, 1) (default 0.1 .. 0.9).
        n_shuffles: random node orders per ratio (default 5).
        C: inverse L2 regularization strength (default 1.0; FastRP's BlogCatalog run uses 0.1).
        standardize: z-score every embedding column over all nodes first, as the FastRP
            reference does (default True).
        random_state: seed of the shuffles (default 0).
        n_jobs: parallel one-vs-rest fits (default None: one).

    Returns:
        ``{"protocol", "C", "n_shuffles", "standardize", "num_nodes", "num_labels",
        "results": [{"train_ratio", "micro_f1": {"mean", "std", "runs"}, "macro_f1": {...}}]}``.
    """
    x = np.asarray(embedding.detach().cpu().numpy() if hasattr(embedding, "detach") else embedding)
    if x.ndim != 2:
        raise ConfigError(f"embedding must be a [N, d] matrix, got shape {list(x.shape)}")
    if not np.isfinite(x).all():
        raise ConfigError("embedding holds NaN or infinite values")
    y, multilabel = _as_labels(labels, x.shape[0])
    ratios = [float(r) for r in train_ratios]
    if not ratios or any(not 0.0 < r < 1.0 for r in ratios):
        raise ConfigError(f"train ratios must lie strictly between 0 and 1, got {list(train_ratios)}")
    if n_shuffles < 1:
        raise ConfigError(f"n_shuffles must be >= 1, got {n_shuffles}")
    if C <= 0:
        raise ConfigError(f"C must be > 0, got {C}")
    if standardize:
        x = StandardScaler().fit_transform(x)
    n = x.shape[0]
    rng = np.random.default_rng(random_state)
    orders = [rng.permutation(n) for _ in range(n_shuffles)]
    results = []
    for ratio in ratios:
        n_train = int(ratio * n)
        if n_train < 1 or n_train >= n:
            raise ConfigError(f"train ratio {ratio} leaves no train or no test node among {n}")
        micro, macro = [], []
        for order in orders:
            train, test = order[:n_train], order[n_train:]
            if multilabel:
                predicted = _fit_predict_topk(x[train], y[train], x[test], y[test].sum(axis=1), C, n_jobs)
                scores = _f1(y[test], predicted, labels=None)
            else:
                clf = LogisticRegression(C=C, max_iter=1000)
                clf.fit(x[train], y[train])
                scores = _f1(y[test], clf.predict(x[test]), labels=np.arange(int(y.max()) + 1))
            micro.append(scores[0])
            macro.append(scores[1])
        results.append({"train_ratio": ratio, "micro_f1": _summary(micro), "macro_f1": _summary(macro)})
    return {
        "protocol": "multilabel_topk" if multilabel else "multiclass",
        "C": C,
        "n_shuffles": n_shuffles,
        "standardize": bool(standardize),
        "num_nodes": n,
        "num_labels": int(y.shape[1]) if multilabel else int(y.max()) + 1,
        "results": results,
    }


def top_k_indicator(scores: np.ndarray, k: np.ndarray) -> np.ndarray:
    """``[n, C]`` 0/1 matrix marking the ``k[i]`` highest ``scores[i]`` of each row."""
    rank = np.argsort(np.argsort(-scores, axis=1, kind="stable"), axis=1, kind="stable")
    return (rank < np.asarray(k)[:, None]).astype(np.int8)


def _fit_predict_topk(
    x_train: np.ndarray, y_train: np.ndarray, x_test: np.ndarray, k: np.ndarray, C: float, n_jobs: int | None
) -> np.ndarray:
    clf = OneVsRestClassifier(LogisticRegression(C=C, solver="liblinear"), n_jobs=n_jobs)
    with warnings.catch_warnings():
        # A label absent from (or on every node of) the train split gets a constant
        # predictor; the protocol expects exactly that.
        warnings.filterwarnings("ignore", message="Label .* is present in all training examples")
        warnings.filterwarnings("ignore", message="Label not .* is present in all training examples")
        clf.fit(x_train, y_train)
        probabilities = clf.predict_proba(x_test)  # [n_test, C]
    return top_k_indicator(probabilities, k)


def _f1(y_true: np.ndarray, y_pred: np.ndarray, labels: np.ndarray | None) -> tuple[float, float]:
    kwargs = {"zero_division": 0} if labels is None else {"zero_division": 0, "labels": labels}
    return (
        float(f1_score(y_true, y_pred, average="micro", **kwargs)),
        float(f1_score(y_true, y_pred, average="macro", **kwargs)),
    )


def _summary(values: list[float]) -> dict:
    return {"mean": float(np.mean(values)), "std": float(np.std(values)), "runs": [float(v) for v in values]}


def _as_labels(labels: Any, n: int) -> tuple[np.ndarray, bool]:
    if hasattr(labels, "detach"):
        labels = labels.detach().cpu().numpy()
    y = labels.toarray() if sp.issparse(labels) else np.asarray(labels)
    if y.shape[0] != n:
        raise ConfigError(f"labels have {y.shape[0]} rows for {n} embedded nodes")
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim == 2:
        return (y != 0).astype(np.int8), True
    if y.ndim != 1 or not np.all(np.equal(np.mod(y, 1), 0)) or y.min() < 0:
        raise ConfigError("labels must be a [N, C] 0/1 matrix or a [N] vector of class indices >= 0")
    return y.astype(np.int64), False
