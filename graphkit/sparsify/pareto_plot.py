"""The metric-against-FLOPs plot of a ``graphkit sparsify --sweep``."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def plot_pareto(points: dict[str, dict[str, Any]], path: Path) -> None:
    """One line per method through its (FLOPs ratio, mean test metric) points, the dense
    model at FLOPs 1.0; ``points`` maps each target to its ``results.json``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    first = next(iter(points.values()))
    metric = first["metric"]
    fig, ax = plt.subplots(figsize=(5.5, 4))
    methods = first["summary"].keys()
    for method in methods:
        xs, ys = [], []
        for results in points.values():
            s = results["summary"][method]
            xs.append(s["flops_ratio"])
            ys.append(s[f"test_{metric}"]["mean"])
        order = sorted(range(len(xs)), key=lambda i: xs[i])
        ax.plot([xs[i] for i in order], [ys[i] for i in order], marker="o", label=method)
    ax.scatter([1.0], [first["dense"]["test"][metric]], marker="*", s=120, color="black", label="dense", zorder=3)
    ax.set_xlabel("FLOPs (fraction of dense)")
    ax.set_ylabel(f"test {metric}")
    ax.set_title(f"{first['dataset']}: {metric} vs FLOPs")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
