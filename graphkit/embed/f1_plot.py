"""The F1-against-train-ratio plot of ``graphkit embed evaluate`` (``f1.png``)."""

from __future__ import annotations

from pathlib import Path

import matplotlib


def plot_f1(report: dict, path: Path) -> None:
    """Micro- and Macro-F1 (mean ± std over shuffles) against train ratio."""
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # after choosing the backend

    ratios = [row["train_ratio"] * 100 for row in report["results"]]
    fig, ax = plt.subplots(figsize=(5, 3.5))
    for key, label in (("micro_f1", "Micro-F1"), ("macro_f1", "Macro-F1")):
        means = [row[key]["mean"] for row in report["results"]]
        stds = [row[key]["std"] for row in report["results"]]
        ax.errorbar(ratios, means, yerr=stds, marker="o", capsize=3, label=label)
    ax.set_xlabel("labeled nodes (%)")
    ax.set_ylabel("F1")
    ax.set_title(f"{report.get('graph', '')} (C={report['C']}, {report['n_shuffles']} shuffles)")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
