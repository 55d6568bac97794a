"""The DeepWalk / FastRP node classification protocol for embeddings.

For each of ``n_shuffles`` random node orders and each train ratio ``r``, the first
``r * N`` nodes of the order train a classifier on the (fixed) embeddings and the rest
are scored. Multi-label data (a 2-D label matrix) uses one-vs-rest logistic regression
(liblinear, as in the reference scoring script) and predicts, for each test node, its
``k`` most probable labels where ``k`` is its true label count; single-label data (a 1-D
class vector) uses plain multi-class logistic regression. Micro- and Macro-F1 are
averaged over shuffles; Macro-F1 averages over every label column, including labels a
split never sees (which score 0, as in the reference).

The one-vs-rest fits minimise liblinear's objective (L2-regularized logistic loss with
the intercept as an extra, regularized input of value 1), but all labels at once: the
sum of the per-label objectives is separable, so one L-BFGS run over the ``[d + 1, C]``
weight matrix solves every label with two ``[n, d] x [d, C]`` float32 products per
step (multi-threaded BLAS), preconditioned on the embedding's principal axes, and each
fit starts from the previous one's weights (``benchmarks/embed_evaluate_speed.py``
compares it with 39 separate liblinear fits).
"""

from __future__ import annotations

import contextlib
from typing import Any, Optional, Sequence

import numpy as np
import scipy.optimize
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.preprocessing import StandardScaler

from graphkit.aggregate import mean_std
from graphkit.errors import ConfigError
from graphkit.progress import Progress

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
    progress: bool = False,
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
        n_jobs: BLAS threads of the fits (default None: the BLAS library's own setting).
        progress: show progress over train ratios and shuffles on stderr, a bar on a terminal and
            plain lines elsewhere (default False).

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
    for ratio in ratios:
        n_train = int(ratio * n)
        if n_train < 1 or n_train >= n:
            raise ConfigError(f"train ratio {ratio} leaves no train or no test node among {n}")
    rng = np.random.default_rng(random_state)
    orders = [rng.permutation(n) for _ in range(n_shuffles)]
    # The intercept is an extra input column of 1s, regularized like the weights
    # (liblinear's). Principal axes make fit_one_vs_rest's diagonal preconditioner exact
    # up to the label-dependent weighting; the rotation leaves scores and F1 unchanged.
    x_bias = np.hstack([x, np.ones((n, 1))], dtype=np.float32)
    _, axes = np.linalg.eigh((x_bias.T @ x_bias).astype(np.float64))
    x_bias = x_bias @ axes.astype(np.float32)
    results = []
    bar = Progress(total=len(ratios) * n_shuffles, desc="F1 protocol", unit="fits", enabled=progress)
    start: Optional[np.ndarray] = None
    with bar, _blas_threads(n_jobs):
        for ratio in ratios:
            n_train = int(ratio * n)
            micro, macro = [], []
            for k, order in enumerate(orders):
                bar.set_description(f"train {ratio:.0%} shuffle {k + 1}/{n_shuffles}")
                train, test = order[:n_train], order[n_train:]
                if multilabel:
                    scores_test, start = fit_one_vs_rest(x_bias[train], y[train], x_bias[test], C, start)
                    predicted = top_k_indicator(scores_test, y[test].sum(axis=1))
                    scores = _f1(y[test], predicted, labels=None)
                else:
                    clf = LogisticRegression(C=C, max_iter=1000)
                    clf.fit(x[train], y[train])
                    scores = _f1(y[test], clf.predict(x[test]), labels=np.arange(int(y.max()) + 1))
                micro.append(scores[0])
                macro.append(scores[1])
                bar.update()
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


def fit_one_vs_rest(
    x_train: np.ndarray, y_train: np.ndarray, x_test: np.ndarray, C: float,
    start: Optional[np.ndarray] = None, tol: float = 1e-5, max_iter: int = 1000,
) -> tuple[np.ndarray, np.ndarray]:
    """One L2-regularized binary logistic regression per label column, all at once.

    Minimises ``sum_l 0.5 ||w_l||^2 + C sum_i log(1 + exp(-s_il w_l . x_i))`` with
    ``s_il = +-1`` (liblinear's objective; put a column of 1s in ``x`` for its
    regularized intercept) by L-BFGS on all labels jointly. The variables are scaled by
    the square root of a diagonal Hessian estimate, ``1 + C p_l (1 - p_l) sum_i x_ij^2``
    (``p_l`` the label's frequency), which is close to the true Hessian when the columns
    of ``x`` are uncorrelated: rotate ``x`` onto its principal axes first (the objective
    does not change under rotation) and the fit needs tens of steps instead of hundreds.
    A label with one value on every train node gets a constant score, as scikit-learn's
    one-vs-rest does.

    Args:
        x_train: ``[n, d]`` float32 inputs.
        y_train: ``[n, C]`` 0/1 labels.
        x_test: ``[m, d]`` inputs to score.
        C: inverse regularization strength.
        start: ``[d, C]`` initial weights (a previous fit's), default zeros.
        tol: stop when no gradient entry exceeds ``tol`` times the largest one at zero weights.
        max_iter: L-BFGS iteration cap (default 1000).

    Returns:
        ``(scores [m, C], weights [d, C])``: test logits (a label on every train node
        scores ``+inf``, one on none ``-inf``, so it is ranked first or last) and the
        fitted weights.
    """
    target = y_train.astype(np.float32)
    n, d = x_train.shape
    num_labels = target.shape[1]
    frequency = np.clip(target.mean(axis=0, dtype=np.float64), 1.0 / n, 1.0 - 1.0 / n)
    second_moment = np.einsum("ij,ij->j", x_train, x_train, dtype=np.float64)
    scale = 1.0 / np.sqrt(1.0 + C * np.outer(second_moment, frequency * (1.0 - frequency)))  # [d, C]: w = scale * v
    w0 = np.zeros((d, num_labels)) if start is None or start.shape != (d, num_labels) else start
    gradient_at_zero = C * np.abs(x_train.T @ (0.5 - target)).max()

    def objective(flat: np.ndarray) -> tuple[float, np.ndarray]:
        w = scale * flat.reshape(d, num_labels)
        z = x_train @ w.astype(np.float32)  # [n, C]
        # log(1 + exp(-s z)) = softplus(z) - y z for s = 2y - 1
        loss = float(np.logaddexp(0.0, z).sum(dtype=np.float64) - (target * z).sum(dtype=np.float64))
        residual = 1.0 / (1.0 + np.exp(-z)) - target  # d loss / dz
        grad_w = w + C * (x_train.T @ residual)
        return 0.5 * float((w * w).sum()) + C * loss, (scale * grad_w).ravel()

    with np.errstate(over="ignore"):
        fit = scipy.optimize.minimize(objective, (w0 / scale).ravel(), jac=True, method="L-BFGS-B",
                                      options={"maxiter": max_iter, "gtol": tol * gradient_at_zero,
                                               "ftol": 1e-12, "maxcor": 20})
    weights = scale * fit.x.reshape(d, num_labels)
    scores = x_test @ weights.astype(np.float32)  # [m, C]
    positives = y_train.sum(axis=0)
    scores[:, positives == 0] = -np.inf
    scores[:, positives == len(y_train)] = np.inf
    return scores, weights


@contextlib.contextmanager
def _blas_threads(n_jobs: int | None):
    if n_jobs is None:
        yield
        return
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=n_jobs, user_api="blas"):
        yield


def _f1(y_true: np.ndarray, y_pred: np.ndarray, labels: np.ndarray | None) -> tuple[float, float]:
    kwargs = {"zero_division": 0} if labels is None else {"zero_division": 0, "labels": labels}
    return (
        float(f1_score(y_true, y_pred, average="micro", **kwargs)),
        float(f1_score(y_true, y_pred, average="macro", **kwargs)),
    )


def _summary(values: list[float]) -> dict:
    # population std over shuffles, as the DeepWalk/FastRP protocol reports it
    return {**mean_std(values, ddof=0), "runs": [float(v) for v in values]}


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
