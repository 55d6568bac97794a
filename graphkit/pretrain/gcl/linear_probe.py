"""The linear evaluation protocol of GRACE / GCA / POT: frozen embeddings, logistic
regression trained on a random 10 % of the nodes, its L2 strength chosen on another 10 %,
scored on the remaining 80 %, over several random splits."""

from __future__ import annotations

from typing import Sequence

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import normalize


def probe_split(num_nodes: int, seed: int, ratios: tuple[float, float]) -> dict[str, np.ndarray]:
    """Random ``train`` / ``valid`` / ``test`` node indices (shares ``ratios``, the rest test)."""
    order = np.random.default_rng(seed).permutation(num_nodes)
    n_train, n_valid = int(ratios[0] * num_nodes), int(ratios[1] * num_nodes)
    return {"train": order[:n_train], "valid": order[n_train:n_train + n_valid], "test": order[n_train + n_valid:]}


def linear_probe(embedding: np.ndarray, labels: np.ndarray, split: dict[str, np.ndarray],
                 Cs: Sequence[float], seed: int = 0, normalize_rows: bool = True) -> dict[str, np.ndarray]:
    """Predicted classes of the ``valid`` and ``test`` nodes by the logistic regression
    (scikit-learn, L-BFGS, on L2-normalized rows as GRACE's evaluation, or on the raw rows
    as POT's) whose ``C`` scores the best validation accuracy.

    Shapes:
        ``embedding [N, d]``, ``labels [N]`` -> ``{"valid": [n_valid], "test": [n_test]}``
    """
    x = embedding.astype(np.float64)
    x = normalize(x) if normalize_rows else x
    # raw rows are scaled as the encoder leaves them: L-BFGS needs more steps to converge
    max_iter = 1000 if normalize_rows else 3000
    best, best_score = None, -1.0
    for C in Cs:
        clf = LogisticRegression(C=C, max_iter=max_iter, random_state=seed)
        clf.fit(x[split["train"]], labels[split["train"]])
        score = float((clf.predict(x[split["valid"]]) == labels[split["valid"]]).mean())
        if score > best_score:
            best, best_score = clf, score
    return {key: best.predict(x[split[key]]) for key in ("valid", "test")}
