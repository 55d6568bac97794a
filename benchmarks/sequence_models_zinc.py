"""ZINC accuracy of the graph sequence models beside GraphGPS on one CPU budget (issue 16).

    python benchmarks/sequence_models_zinc.py \\
        --run "GPS+Mamba=RUN_DIR" --run "GMN=RUN_DIR" [--run ...] \\
        [--orderings "GPS+Mamba=1,5"] [--keep sequence_models_zinc_cpu.json] [--out NAME]

Other benchmarks: ``--reference gps_peptides_func_cpu.json --metric ap --dataset Peptides-func``
(the GraphGPS run to compare with, from ``benchmarks/results/``, and the metric its runs report).

Each RUN_DIR is a finished ``graphkit train`` run (its config's first line is the command
that made it). For every run the script reads ``results.json`` (test/val metric of the
best-validation checkpoint), ``metrics.jsonl`` (the learning curve and the cumulative
training wall time) and the run's config; GraphGPS's curve comes from
``benchmarks/results/gps_zinc_cpu_85ep.json`` (``configs/gps/zinc-cpu45.yaml``) or ``--reference``.
``--orderings LABEL=1,5`` re-evaluates that run's best checkpoint through
``graphkit.load_run`` with ``model.mamba_eval_orderings`` set to each value (the
Graph-Mamba paper's test-time averaging over node orderings), seeded as the trainer's
final evaluation is. ``--keep FILE`` carries over the rows of an earlier output of this
script (from ``benchmarks/results/``) whose run directories are gone, except GraphGPS's and
any label given again with ``--run``. Writes ``benchmarks/results/<out>.json`` and a plot of the validation
metric against epoch and against wall time, ``benchmarks/results/<out>.png``.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import yaml
from graphkit.catalog import load as load_catalog

load_catalog()  # the built-in models, tasks and datasets, registered as the CLI does

RESULTS = Path(__file__).parent / "results"
GPS_REFERENCE = "gps_zinc_cpu_85ep.json"
LOWER_IS_BETTER = {"mae", "rmse", "mse"}


def _labelled(text: str) -> tuple[str, str]:
    if "=" not in text:
        raise SystemExit(f"expected LABEL=VALUE, got {text!r}")
    label, value = text.split("=", 1)
    return label.strip(), value.strip()


def best_epoch(curve: list[dict], metric: str) -> int:
    """The best validation epoch; a NaN epoch (see the README's note on spikes) never counts."""
    sign = 1.0 if metric in LOWER_IS_BETTER else -1.0
    return min(curve, key=lambda row: (math.isnan(row[f"val_{metric}"]), sign * row[f"val_{metric}"]))["epoch"]


def summarize(label: str, run_dir: Path) -> dict:
    results = json.loads((run_dir / "results.json").read_text())
    config = yaml.safe_load((run_dir / "config.yaml").read_text())
    curve = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines() if line]
    metric = results["metric"]
    return {
        "label": label, "run_dir": str(run_dir), "model": config["model"],
        "epochs": config["trainer"]["epochs"],
        "test": results["test"][metric]["mean"], "val": results["val"][metric]["mean"],
        "best_epoch": best_epoch(curve, metric),
        "wall_seconds": curve[-1]["seconds"] if curve else None,
        "curve": [{"epoch": row["epoch"], "train_loss": row["train_loss"],
                   f"val_{metric}": row[f"val_{metric}"], "seconds": row["seconds"]} for row in curve],
    }


def orderings_eval(run_dir: Path, counts: list[int]) -> dict[str, dict[str, float]]:
    from graphkit import load_run
    from graphkit.trainers.trainer import final_evaluation

    out = {}
    for count in counts:
        loaded = load_run(run_dir, overrides=[f"model.mamba_eval_orderings={count}"])
        result = final_evaluation(loaded.model, loaded.task, loaded.seed)
        out[str(count)] = {split: values[loaded.task.metric] for split, values in result.items()}
    return out


def _strict(value):
    """Spiked epochs log NaN/inf validation MAE; strict JSON readers reject those tokens,
    so they are written as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _strict(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_strict(v) for v in value]
    return value


def plot(rows: list[dict], path: Path, metric: str, dataset: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (by_epoch, by_time) = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
    for row in rows:
        epochs = [p["epoch"] + 1 for p in row["curve"]]
        minutes = [p["seconds"] / 60 for p in row["curve"]]
        val = [math.nan if p[f"val_{metric}"] is None else p[f"val_{metric}"] for p in row["curve"]]
        name = f"{row['label']} (test {row['test']:.4f})"
        by_epoch.plot(epochs, val, label=name)
        by_time.plot(minutes, val, label=name)
    lower = metric in LOWER_IS_BETTER
    scale = "log" if lower else "linear"
    by_epoch.set(xlabel="epoch", ylabel=f"validation {metric.upper()}", yscale=scale, title=f"{dataset}, per epoch")
    by_time.set(xlabel="training wall time (min, 1 thread)", yscale=scale,
                title=f"{dataset}, per minute (machines and load differ: see JSON)")
    if lower:
        # an outlier validation graph can blow one epoch's MAE up by orders of magnitude (the
        # JSON keeps finite values, NaN/inf as null); clip the axis so the curves stay readable
        by_epoch.set_ylim(top=2.0)
    by_epoch.legend(fontsize=8)
    for ax in (by_epoch, by_time):
        ax.grid(alpha=0.3, which="both")
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", action="append", required=True, help="LABEL=RUN_DIR")
    parser.add_argument("--keep", help="an earlier output JSON in benchmarks/results/ whose other rows to keep")
    parser.add_argument("--orderings", action="append", default=[], help="LABEL=1,5")
    parser.add_argument("--out", default="sequence_models_zinc_cpu")
    parser.add_argument("--reference", default=GPS_REFERENCE, help="GraphGPS run JSON in benchmarks/results/")
    parser.add_argument("--metric", default="mae", help="the runs' metric (mae, ap, ...)")
    parser.add_argument("--dataset", default="ZINC", help="name in the plot titles")
    args = parser.parse_args()
    metric = args.metric

    gps = json.loads((RESULTS / args.reference).read_text())
    rows = [{"label": "GPS", "run_dir": None, "command": gps["command"], "epochs": len(gps["curve"]),
             "test": gps[f"test_{metric}"], "val": gps[f"val_{metric}"],
             "best_epoch": gps.get("best_epoch", best_epoch(gps["curve"], metric)),
             "wall_seconds": gps["wall_seconds"], "curve": gps["curve"], "machine": gps["machine"]}]
    runs = dict(_labelled(text) for text in args.run)
    if args.keep:
        kept = json.loads((RESULTS / args.keep).read_text())["runs"]
        rows += [r for r in kept if r["label"] != "GPS" and r["label"] not in runs]
    rows += [summarize(label, Path(run_dir)) for label, run_dir in runs.items()]
    for text in args.orderings:
        label, counts = _labelled(text)
        row = next(r for r in rows if r["label"] == label)
        row["eval_orderings"] = orderings_eval(Path(runs[label]), [int(c) for c in counts.split(",")])

    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{args.out}.json").write_text(json.dumps({"runs": _strict(rows)}, indent=1) + "\n")
    plot(rows, RESULTS / f"{args.out}.png", metric, args.dataset)
    name = metric.upper()
    print(f"{'model':<28} {'epochs':>6} {'best':>5} {'val ' + name:>8} {'test ' + name:>8} {'minutes':>8}")
    for row in rows:
        minutes = f"{row['wall_seconds'] / 60:.1f}" if row["wall_seconds"] else "-"
        print(f"{row['label']:<28} {row['epochs']:>6} {row['best_epoch']:>5} {row['val']:>8.4f} "
              f"{row['test']:>8.4f} {minutes:>8}")
        for count, result in row.get("eval_orderings", {}).items():
            print(f"  evaluated over {count} ordering(s): val {result['valid']:.4f} test {result['test']:.4f}")
    print(f"wrote {RESULTS / (args.out + '.json')} and {RESULTS / (args.out + '.png')}")


if __name__ == "__main__":
    main()
