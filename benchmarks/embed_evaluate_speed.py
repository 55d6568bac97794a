"""`graphkit embed evaluate` speed: joint L-BFGS one-vs-rest against 39 liblinear fits.

    python benchmarks/embed_evaluate_speed.py [--old-ratios 0.1,0.5,0.9] [--old-shuffles 1] [--threads 1]

FastRP BlogCatalog embedding in the paper's setting (d = 512, alpha = 0, 0, 1, 6.67,
beta = -0.64, seed 42), standardized, C = 0.1. "old" is the evaluation graphkit used
before (scikit-learn's OneVsRestClassifier over LogisticRegression(solver="liblinear"),
top-k prediction); it is timed on a subset of the protocol (default: 1 shuffle per ratio)
because the full 0.1,0.5,0.9 x 5 shuffles took 22-32 min. "new" is
`evaluate_node_classification` on the same shuffle(s), then on the full protocol. The
liblinear objective of both solutions on the first subset fit is reported, so "same F1"
is backed by "same optimum". Writes benchmarks/results/embed_evaluate_speed.json.
"""

from __future__ import annotations

import argparse
import os

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--old-ratios", default="0.1,0.5,0.9")
parser.add_argument("--old-shuffles", type=int, default=1)
parser.add_argument("--threads", type=int, default=1, help="BLAS threads (both methods)")
parser.add_argument("--skip-full", action="store_true", help="skip the full 0.1,0.5,0.9 x 5 run of the new one")
args = parser.parse_args()
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(args.threads)

import json  # noqa: E402  (the thread variables must be set before numpy loads)
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.multiclass import OneVsRestClassifier  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from graphkit.datasets.mat_graph import read_mat_graph  # noqa: E402
from graphkit.embed import FastRP, evaluate_node_classification  # noqa: E402
from graphkit.embed.evaluation import _f1, fit_one_vs_rest, top_k_indicator  # noqa: E402
from graphkit.catalog import load as load_catalog  # noqa: E402

load_catalog()  # the built-in models, tasks and datasets, registered as the CLI does

MIRROR = Path(os.environ.get("GRAPHKIT_MIRROR", Path(__file__).resolve().parents[2] / "shared" / "datasets"))
OUT = Path(__file__).parent / "results" / "embed_evaluate_speed.json"
C = 0.1


def old_fit(x_train, y_train, x_test):
    clf = OneVsRestClassifier(LogisticRegression(C=C, solver="liblinear"))
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Label .* is present in all training examples")
        clf.fit(x_train, y_train)
        probabilities = clf.predict_proba(x_test)
    weights = np.stack([np.append(e.coef_.ravel(), e.intercept_) if hasattr(e, "coef_") else np.zeros(x_train.shape[1] + 1)
                        for e in clf.estimators_], axis=1)
    return probabilities, weights


def liblinear_objective(x_bias, y, w):
    """Sum over labels seen with both values of 0.5 ||w||^2 + C sum log(1 + exp(-s w.x))
    (intercept regularized); constant labels have no fitted model in the old code."""
    fitted = (y.sum(axis=0) > 0) & (y.sum(axis=0) < len(y))
    w, y = w[:, fitted], y[:, fitted]
    z = x_bias.astype(np.float64) @ w
    return float(0.5 * (w * w).sum() + C * (np.logaddexp(0, z) - y * z).sum())


def main() -> None:
    adjacency, labels = read_mat_graph(MIRROR / "node_embedding" / "blogcatalog.mat")
    y = (labels.toarray() != 0).astype(np.int8)
    emb = FastRP(512, iteration_weights=(0.0, 0.0, 1.0, 6.67), normalization_strength=-0.64,
                 random_state=42).fit_transform(adjacency)
    x = StandardScaler().fit_transform(emb)
    n = x.shape[0]
    x_bias = np.hstack([x, np.ones((n, 1))]).astype(np.float32)
    old_ratios = [float(r) for r in args.old_ratios.split(",")]
    # the same shuffles evaluate_node_classification draws with random_state=0
    rng = np.random.default_rng(0)
    orders = [rng.permutation(n) for _ in range(args.old_shuffles)]
    report = {"graph": "blogcatalog", "dim": 512, "C": C, "threads": args.threads, "subset": {
        "ratios": old_ratios, "shuffles": args.old_shuffles}, "note": "2-core machine shared with other jobs"}

    old_rows, old_seconds, objectives = [], 0.0, []
    for ratio in old_ratios:
        for order in orders:
            train, test = order[: int(ratio * n)], order[int(ratio * n):]
            start = time.perf_counter()
            probabilities, w_old = old_fit(x[train], y[train], x[test])
            old_seconds += time.perf_counter() - start
            micro, macro = _f1(y[test], top_k_indicator(probabilities, y[test].sum(axis=1)), labels=None)
            old_rows.append({"train_ratio": ratio, "micro_f1": micro, "macro_f1": macro})
            _, w_new = fit_one_vs_rest(x_bias[train], y[train], x_bias[test], C)
            objectives.append({"train_ratio": ratio, "old": liblinear_objective(x_bias[train], y[train], w_old),
                               "new": liblinear_objective(x_bias[train], y[train], w_new)})
            print(f"old {ratio:.0%}: micro {micro:.4f} macro {macro:.4f}, objective old "
                  f"{objectives[-1]['old']:.3f} new {objectives[-1]['new']:.3f}", flush=True)
    start = time.perf_counter()
    new_subset = evaluate_node_classification(emb, labels, train_ratios=old_ratios, n_shuffles=args.old_shuffles,
                                              C=C)
    new_seconds = time.perf_counter() - start
    report["subset"].update({
        "old_wall_s": old_seconds, "old": old_rows, "new_wall_s": new_seconds,
        "new": [{"train_ratio": r["train_ratio"], "micro_f1": r["micro_f1"]["mean"], "macro_f1": r["macro_f1"]["mean"]}
                for r in new_subset["results"]],
        "speedup": old_seconds / new_seconds, "liblinear_objective": objectives})
    print(f"subset: old {old_seconds:.1f}s, new {new_seconds:.2f}s ({old_seconds / new_seconds:.0f}x)", flush=True)
    if not args.skip_full:
        start = time.perf_counter()
        full = evaluate_node_classification(emb, labels, train_ratios=(0.1, 0.5, 0.9), n_shuffles=5, C=C)
        report["full"] = {"ratios": [0.1, 0.5, 0.9], "shuffles": 5, "new_wall_s": time.perf_counter() - start,
                          "results": full["results"]}
        for row in full["results"]:
            print(f"full {row['train_ratio']:.0%}: micro {row['micro_f1']['mean']:.4f} ± {row['micro_f1']['std']:.4f} "
                  f"macro {row['macro_f1']['mean']:.4f} ± {row['macro_f1']['std']:.4f}", flush=True)
        print(f"full protocol: {report['full']['new_wall_s']:.1f}s", flush=True)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
