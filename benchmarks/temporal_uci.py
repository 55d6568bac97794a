"""Dynamic link prediction on UCI (DyGLib protocol): TGN, GraphMixer, Todyformer in one run.

For each model: training throughput (events per second of ``training_step`` + backward +
Adam step on UCI's first training batches, median of interleaved repeats, same process,
one thread), then ``graphkit train configs/<model>/uci.yaml`` over the seeds with the epoch
budget given (and any overrides), collecting validation / test AP and AUC-ROC per negative
strategy, transductive and inductive. Writes ``benchmarks/results/temporal_uci.json``.

    OMP_NUM_THREADS=1 GRAPHKIT_MIRROR=../shared/datasets python benchmarks/temporal_uci.py \\
        --epochs tgn=3,graphmixer=1,todyformer=3 --seeds 0,1,2 \\
        --set graphmixer:model.hidden_channels=64

Budgets here are far below DyGLib's (100 epochs, patience 20, GPU): the JSON records them.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import torch

import graphkit
from graphkit.catalog import load
from graphkit.config import RunConfig
from graphkit.datasets import load_dataset
from graphkit.models import build_model
from graphkit.runs.config_loading import load_config
from graphkit.tasks.task_context import TaskContext
from graphkit.tasks import build_task

REPO = Path(__file__).resolve().parents[1]
MODELS = ("tgn", "graphmixer", "todyformer")


def _parse_map(text: str) -> dict[str, str]:
    return dict(item.split("=", 1) for item in text.split(",") if item)


def throughput(cfg: RunConfig, batches: int) -> float:
    """Training events per second over ``batches`` batches from the start of an epoch."""
    dataset = load_dataset(cfg.data)
    task = build_task(cfg.task, dataset, TaskContext(data=cfg.data))
    torch.manual_seed(0)
    model = build_model(cfg.model, task.model_inputs()).train()
    optimizer = torch.optim.Adam(model.parameters(), lr=cfg.optim.lr)
    events, start = 0, time.perf_counter()
    for i, batch in enumerate(task.train_batches(0)):
        if i == batches:
            break
        optimizer.zero_grad()
        loss = task.training_step(model, batch)
        loss.backward()
        optimizer.step()
        events += batch.index.numel()
    return events / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", default="tgn=3,graphmixer=1,todyformer=3")
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--set", action="append", default=[], help="model:key.path=value override")
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--speed-batches", type=int, default=15)
    parser.add_argument("--speed-repeats", type=int, default=3)
    parser.add_argument("--skip-training", action="store_true")
    parser.add_argument("--out", default=str(REPO / "benchmarks" / "results" / "temporal_uci.json"))
    args = parser.parse_args()
    load()
    torch.set_num_threads(1)
    models = args.models.split(",")
    epochs = {k: int(v) for k, v in _parse_map(args.epochs).items()}
    extra: dict[str, list[str]] = {m: [] for m in models}
    for item in args.set:
        model, override = item.split(":", 1)
        extra[model].append(override)
    seeds = [int(s) for s in args.seeds.split(",")]
    cfgs = {m: load_config(RunConfig, REPO / "configs" / m / "uci.yaml", extra[m]) for m in models}
    speeds: dict[str, list[float]] = {m: [] for m in models}
    for _ in range(args.speed_repeats):  # interleaved, so load changes hit every model alike
        for m in models:
            speeds[m].append(throughput(cfgs[m], args.speed_batches))
            print(f"{m}: {speeds[m][-1]:.0f} events/s", flush=True)
    out = {"machine": "2 shared CPU cores under heavy concurrent load, 1 torch thread", "dataset": "dyglib:uci",
           "speed_batches": args.speed_batches, "batch_size": cfgs[models[0]].data.batch_size, "models": {}}
    for m in models:
        out["models"][m] = {"train_events_per_s": statistics.median(speeds[m]) if speeds[m] else None,
                            "speed_runs": speeds[m],
                            "epochs": epochs.get(m), "overrides": extra[m], "seeds": seeds}
    runs_root = Path(tempfile.mkdtemp(prefix="gk-temporal-bench-"))
    for m in models:
        if args.skip_training:
            break
        overrides = [f"trainer.epochs={epochs[m]}", f"seeds={seeds}", "tracking.wandb.mode=disabled", *extra[m]]
        started = time.perf_counter()
        result = graphkit.train(REPO / "configs" / m / "uci.yaml", overrides=overrides, runs_root=runs_root)
        res = result.results
        out["models"][m].update({
            "command": f"graphkit train configs/{m}/uci.yaml " + " ".join(overrides),
            "wall_s": time.perf_counter() - started,
            "test": {k: {"mean": v["mean"], "std": v["std"]} for k, v in res["test"].items()},
            "val": {k: {"mean": v["mean"], "std": v["std"]} for k, v in res["val"].items()},
            "best_epochs": [r["best_epoch"] for r in res["runs"]], "params": res["params"],
        })
        print(m, {k: round(v["mean"], 4) for k, v in res["test"].items()}, flush=True)
        Path(args.out).write_text(json.dumps(out, indent=1) + "\n")
    tgn = out["models"].get("tgn", {}).get("train_events_per_s")
    tody = out["models"].get("todyformer", {}).get("train_events_per_s")
    if tgn and tody:
        out["todyformer_slowdown_vs_tgn"] = tgn / tody
    Path(args.out).write_text(json.dumps(out, indent=1) + "\n")
    print(json.dumps({m: out["models"][m]["train_events_per_s"] for m in models}))


if __name__ == "__main__":
    main()
