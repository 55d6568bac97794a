"""The directed-graph results table: ADPA, Dir-GNN and GCN / SAGE on the directed and on the
symmetrized graph, mean ± std over the standard splits, plus AMUD's decision against
GCN directed vs undirected. Every run is ``graphkit.train`` (the same code as
``graphkit train configs/adpa/<dataset>.yaml``) with the model section swapped; results are
appended to ``--out`` as they finish, so a partial run keeps what it measured.

    OMP_NUM_THREADS=1 python benchmarks/directed_results.py --datasets chameleon,cora_ml \\
        --variants adpa,gcn-sym,gcn-dir --splits 0,1,2 --epochs 200 --jobs 2 \\
        --out benchmarks/results/directed_results.json
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
MPNN = {"hidden_channels": 64, "num_layers": 2, "dropout": 0.5}
# the reference code's defaults (xkLi-Allen/AMUD-ADPA configs/model_config.py, training_config.py)
ADPA_REFERENCE = ({"name": "adpa", "hidden_channels": 32, "num_layers": 1, "dropout": 0.64251, "num_steps": 2,
                   "order": 2, "r": 0.42749}, {"lr": 0.06036, "weight_decay": 0.01273})
VARIANTS = {  # name: (model section, data.directed)
    "adpa": (None, True),  # the config's own model section (configs/adpa/<dataset>.yaml)
    "adpa-ref": (ADPA_REFERENCE[0], True),  # with the reference's optimizer settings (below)
    "adpa-sym": (None, False),  # the config's model on the symmetrized graph
    "dir_gnn": ({"name": "dir_gnn", "conv": "gcn", "hidden_channels": 64, "num_layers": 2}, True),
    "gcn-dir": ({"name": "gcn", **MPNN}, True),
    "gcn-sym": ({"name": "gcn", **MPNN}, False),
    "sage-dir": ({"name": "sage", **MPNN}, True),
    "sage-sym": ({"name": "sage", **MPNN}, False),
}


def run_one(dataset: str, variant: str, splits: list[int], epochs: int, patience: int) -> dict:
    import graphkit

    config = yaml.safe_load((REPO / "configs" / "adpa" / f"{dataset}.yaml").read_text())
    model, directed = VARIANTS[variant]
    if model is not None:
        config["model"] = model
    if variant == "adpa-ref":
        config["optim"].update(ADPA_REFERENCE[1])
    config["data"]["directed"] = directed
    config["data"]["splits"] = splits
    config["trainer"].update(epochs=epochs, patience=patience, quiet=True, threads=1)
    config["tracking"] = {"wandb": {"mode": "disabled"}}
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="gk-directed-") as tmp:
        result = graphkit.train(config, run_dir=Path(tmp) / "run")
    metric = config["task"]["metric"]
    return {"dataset": dataset, "variant": variant, "metric": metric, "splits": splits, "epochs": epochs,
            "patience": patience, "test": result.test[metric], "val": result.val[metric],
            "test_accuracy": result.test.get("accuracy"), "seconds": time.perf_counter() - start}


def amud_decision(dataset: str, split: int) -> dict:
    from graphkit.amud import amud
    from graphkit.catalog import load
    from graphkit.config import DataConfig
    from graphkit.datasets import load_dataset

    load()
    ds = load_dataset(DataConfig(name=dataset, directed=True, splits=(split,)))
    return {"dataset": dataset, "split": split,
            **amud(ds.data.edge_index, ds.data.y, ds.splits[split]["train"], int(ds.data.num_nodes)).to_dict()}


def _cell(row: dict | None) -> str:
    if row is None:
        return "—"
    if "error" in row:
        return "failed"
    return f"{100 * row['test']['mean']:.2f} ± {100 * row['test']['std']:.2f}"


def markdown(paths: list[Path]) -> str:
    """The docs tables from one or more result files (later files fill what earlier lack)."""
    runs, amuds = {}, {}
    for path in paths:
        record = json.loads(path.read_text())
        for row in record.get("runs", []):
            runs.setdefault((row["dataset"], row["variant"]), row)
        for row in record.get("amud", []):
            amuds.setdefault(row["dataset"], row)
    datasets = list(dict.fromkeys(d for d, _ in runs))
    variants = [v for v in VARIANTS if any(v == w for _, w in runs)]
    lines = ["| dataset | metric | splits | " + " | ".join(variants) + " |",
             "|---|---|---|" + "---|" * len(variants)]
    for d in datasets:
        some = next(r for (e, _), r in runs.items() if e == d and "error" not in r)
        lines.append(f"| {d} | {some['metric']} | {len(some['splits'])} | "
                     + " | ".join(_cell(runs.get((d, v))) for v in variants) + " |")
    lines += ["", "| dataset | AMUD statistic | AMUD decision | GCN directed | GCN symmetrized | better in our runs | AMUD picks it |",
              "|---|---|---|---|---|---|---|"]
    for d, a in amuds.items():
        gd, gs = runs.get((d, "gcn-dir")), runs.get((d, "gcn-sym"))
        if gd is None or gs is None or "error" in gd or "error" in gs:
            better = match = "—"
        else:
            diff = gd["test"]["mean"] - gs["test"]["mean"]
            better = "tie" if abs(diff) < 5e-5 else "directed" if diff > 0 else "undirected"
            match = "—" if better == "tie" else "yes" if better == a["decision"] else "no"
        lines.append(f"| {d} | {a['statistic']:.4f} | {a['decision']} | {_cell(gd)} | {_cell(gs)} | {better} | {match} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", default="")
    parser.add_argument("--variants", default="adpa,gcn-sym,gcn-dir")
    parser.add_argument("--splits", default="0,1,2")
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--patience", type=int, default=50)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--amud-only", action="store_true")
    parser.add_argument("--out", default="benchmarks/results/directed_results.json")
    parser.add_argument("--markdown", nargs="+", metavar="JSON", help="print the docs tables of these files")
    args = parser.parse_args()
    if args.markdown:
        print(markdown([Path(p) for p in args.markdown]))
        return
    out = Path(args.out)
    record = json.loads(out.read_text()) if out.is_file() else {"runs": [], "amud": []}
    record["machine"] = f"{os.cpu_count()} CPU cores shared with other jobs, torch threads 1"
    datasets = args.datasets.split(",")
    splits = [int(s) for s in args.splits.split(",")]
    done = {(a["dataset"]) for a in record["amud"]}
    record["amud"] += [amud_decision(d, splits[0]) for d in datasets if d not in done]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(record, indent=1) + "\n")
    if args.amud_only:
        return
    jobs = [(d, v) for d in datasets for v in args.variants.split(",")
            if not any(r["dataset"] == d and r["variant"] == v for r in record["runs"])]
    with ProcessPoolExecutor(args.jobs) as pool:
        futures = {pool.submit(run_one, d, v, splits, args.epochs, args.patience): (d, v) for d, v in jobs}
        for future in as_completed(futures):
            try:
                row = future.result()
            except Exception as e:  # a failed run is recorded, the others go on
                row = {"dataset": futures[future][0], "variant": futures[future][1], "error": repr(e)[:300]}
            record["runs"].append(row)
            out.write_text(json.dumps(record, indent=1) + "\n")
            print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
