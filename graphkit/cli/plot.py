"""``graphkit plot RUN_DIR``: learning curves (one line per seed/split) as PNGs."""

from __future__ import annotations

import argparse
from collections import defaultdict
from pathlib import Path

from graphkit.errors import GraphkitError

_SKIP = {"seed", "split", "epoch", "seconds"}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("plot", help="plot learning curves of a run directory",
                       description="Draws every per-epoch quantity of a run's metrics.jsonl (loss, "
                                   "learning rate, validation metrics) as RUN_DIR/plots/<name>.png, one "
                                   "line per seed and split.")
    p.add_argument("run_dir", type=Path, help="a run directory written by `graphkit train`")
    p.add_argument("--out", type=Path, help="output folder (default RUN_DIR/plots)")
    p.add_argument("--compare", type=Path, action="append", default=[], metavar="RUN_DIR",
                   help="another run whose per-node arrays (node_compactness of GRACE/GCA) are drawn "
                        "beside this run's, e.g. the same task without POT; repeatable")
    p.set_defaults(func=run, parts=False)


def _run_label(run_dir: Path) -> str:
    """``<model> on <dataset>`` from the run's saved config, else the folder name."""
    import yaml

    try:
        config = yaml.safe_load((run_dir / "config.yaml").read_text())
        return f"{config['model']['name']} on {config['data']['name']}"
    except (OSError, KeyError, TypeError, yaml.YAMLError):
        return run_dir.resolve().name


def learning_curves(rows: list[dict]) -> dict[str, dict[tuple[int, int], list[tuple[int, float]]]]:
    """``{quantity: {(seed, split): [(epoch, value), ...]}}`` of ``metrics.jsonl`` rows, epochs
    counted from 1 as the training log counts them (the rows store them from 0)."""
    curves: dict[str, dict[tuple[int, int], list[tuple[int, float]]]] = defaultdict(lambda: defaultdict(list))
    for r in rows:
        for key, value in r.items():
            if key not in _SKIP and isinstance(value, (int, float)):
                curves[key][(r["seed"], r["split"])].append((r["epoch"] + 1, value))
    return curves


def plot_run(run_dir: Path, out: Path) -> list[Path]:
    """Writes ``<out>/<metric>.png`` for every per-epoch quantity in ``metrics.jsonl``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    from graphkit.trainers.run_dir import RunDir

    rows = RunDir(run_dir, create=False).read_metrics() if (run_dir / "metrics.jsonl").is_file() else []
    if not rows:
        raise GraphkitError(f"{run_dir} has no metrics.jsonl rows to plot")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for key, series in sorted(learning_curves(rows).items()):
        fig, ax = plt.subplots(figsize=(6, 4))
        for (seed, split), points in sorted(series.items()):
            points.sort()
            # markers keep short runs visible: a 1-epoch run is a single point, which a bare line hides
            ax.plot([p[0] for p in points], [p[1] for p in points], marker="o" if len(points) <= 50 else None,
                    markersize=4, label=f"seed {seed} split {split}")
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel(key)
        if key in ("train_loss", "lr"):
            ax.set_yscale("log")
        ax.set_title(f"{_run_label(run_dir)}: {key}")
        ax.grid(alpha=0.3)
        if len(series) <= 10:
            ax.legend(fontsize=7)
        fig.tight_layout()
        path = out / f"{key}.png"
        fig.savefig(path, dpi=100)
        plt.close(fig)
        written.append(path)
    return written


def _task_label(run_dir: Path) -> str:
    """``grace + POT 0.4 on cora`` from the run's saved config, else the folder name."""
    import yaml

    try:
        config = yaml.safe_load((run_dir / "config.yaml").read_text())
        task = config["task"]
        weight = (task.get("pot") or {}).get("weight", 0.0)
        return f"{task['name']}{f' + POT {weight}' if weight else ''} on {config['data']['name']}"
    except (OSError, KeyError, TypeError, AttributeError, yaml.YAMLError):
        return run_dir.resolve().name


def _node_arrays(run_dir: Path, name: str):
    import numpy as np

    files = sorted(run_dir.glob(f"{name}-seed*-split*.npy"))
    return np.concatenate([np.load(f).reshape(-1) for f in files]) if files else None


def plot_node_compactness(runs: list[Path], out: Path) -> list[Path]:
    """``<out>/node_compactness.png``: the distribution of POT's node compactness (every
    node, both views' ranges, every seed) of each run, with the share below zero: the
    figure POT draws to show that training with it lifts the nodes that violate the
    contrastive principle. Nothing is drawn when the first run saved none."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    arrays = [(r, _node_arrays(r, "node_compactness")) for r in runs]
    arrays = [(r, a) for r, a in arrays if a is not None]
    if not arrays or arrays[0][0] != runs[0]:
        return []
    everything = np.concatenate([a for _, a in arrays])
    low, high = np.percentile(everything, [0.5, 99.5])
    bins = np.linspace(low, high, 60)
    fig, ax = plt.subplots(figsize=(6, 4))
    for run_dir, values in arrays:
        ax.hist(np.clip(values, low, high), bins=bins, alpha=0.5,
                label=f"{_task_label(run_dir)} ({run_dir.name}): {np.mean(values < 0):.1%} < 0")
    ax.axvline(0.0, color="black", linewidth=0.8)
    ax.set_xlabel("node compactness (lower bound over the augmentation range)")
    ax.set_ylabel("nodes")
    ax.legend(fontsize=7)
    fig.tight_layout()
    out.mkdir(parents=True, exist_ok=True)
    path = out / "node_compactness.png"
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return [path]


def run(args: argparse.Namespace) -> int:
    out = args.out or args.run_dir / "plots"
    for path in plot_run(args.run_dir, out) + plot_node_compactness([args.run_dir, *args.compare], out):
        print(path)
    return 0
