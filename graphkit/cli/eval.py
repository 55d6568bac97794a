"""``graphkit eval RUN_DIR``: re-evaluate a trained run, on its own dataset or another one."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "eval", help="re-evaluate a trained run (any task)",
        description="Reloads a run's checkpoints (graphkit.load_run) and evaluates every "
                    "finished (seed, split) run; writes eval.json in the results.json schema. "
                    "On the run's own dataset and test split it reproduces results.json.",
    )
    p.add_argument("run_dir", type=Path, help="a run directory written by graphkit train")
    p.add_argument("overrides", nargs="*", help="dotted overrides of the run's config, e.g. data.root=/data")
    p.add_argument("--checkpoint", default="best",
                   help="best (each run's best-validation weights, default), last, or a checkpoint path")
    p.add_argument("--dataset", help="evaluate on another registered dataset (or path) of the same kind")
    p.add_argument("--split", default="valid,test",
                   help="comma-separated splits to evaluate: train, valid, test (default valid,test)")
    p.add_argument("--seeds", help="comma-separated seeds to evaluate (default: every finished one)")
    p.add_argument("--device", default="cpu", help="cpu, cuda or cuda:N")
    p.add_argument("--threads", type=int, help="torch CPU threads")
    p.add_argument("--out", type=Path, help="output file (default RUN_DIR/eval.json, or "
                                            "RUN_DIR/eval-<dataset>.json with --dataset)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import torch

    from graphkit.cli.arguments import int_list
    from graphkit.errors import ConfigError
    from graphkit.runs import load_run, read_run_config, run_pairs
    from graphkit.aggregate import aggregate_runs
    from graphkit.trainers.trainer import final_evaluation

    started = time.perf_counter()
    if args.threads is not None:
        if args.threads < 1:
            raise ConfigError(f"--threads must be >= 1, got {args.threads}")
        torch.set_num_threads(args.threads)
    splits = tuple(s.strip() for s in args.split.split(",") if s.strip())
    bad = [s for s in splits if s not in ("train", "valid", "test")]
    if bad or not splits:
        raise ConfigError(f"--split: unknown split {bad[0] if bad else args.split!r}; valid: train, valid, test")
    rd, cfg = read_run_config(args.run_dir, args.overrides)
    pairs = run_pairs(cfg, rd)
    which = args.checkpoint if args.checkpoint in ("best", "last") else Path(args.checkpoint)
    if which != "best":
        pairs = [(cfg.seeds[0], cfg.data.splits[0])]  # one checkpoint file: one run
    if args.seeds:
        wanted = set(int_list(args.seeds, "--seeds"))
        pairs = [(s, k) for s, k in pairs if s in wanted]
    if not pairs:
        raise ConfigError(f"{args.run_dir} has no finished run to evaluate (no best-seed*-split*.pt)")
    runs = []
    dataset_name = model_name = task_name = metric = None
    for seed, split in pairs:
        loaded = load_run(rd.path, seed=seed, split=split, which=which, device=args.device,
                          dataset=args.dataset, overrides=args.overrides)
        result = final_evaluation(loaded.model, loaded.task, seed, splits)
        runs.append({"seed": seed, "split": split, "metric": loaded.task.metric,
                     "checkpoint": str(loaded.checkpoint),
                     **{("val" if s == "valid" else s): m for s, m in result.items()}})
        dataset_name, model_name = loaded.dataset.name, loaded.config.model.name
        task_name, metric = loaded.config.task.name or loaded.dataset.task, loaded.task.metric
    keys = [("val" if s == "valid" else s) for s in splits]
    out = {
        "task": task_name, "dataset": dataset_name, "model": model_name, "metric": metric,
        "seeds": sorted({s for s, _ in pairs}), "splits": sorted({k for _, k in pairs}),
        **{key: aggregate_runs(runs, key) for key in keys},
        "run_dir": str(rd.path), "checkpoint": args.checkpoint,
        "wall_seconds": time.perf_counter() - started, "runs": runs,
    }
    path = args.out or rd.path / (f"eval-{Path(args.dataset).name}.json" if args.dataset else "eval.json")
    try:
        path.write_text(json.dumps(out, indent=2) + "\n")
    except OSError as e:
        raise ConfigError(f"cannot write {path}: {e.strerror}") from None
    for key in keys:
        agg = out[key]
        line = ", ".join(f"{name} {v['mean']:.4f} ± {v['std']:.4f}" for name, v in agg.items())
        print(f"{model_name} on {dataset_name} ({key}, {len(runs)} run{'s' if len(runs) > 1 else ''}): {line}")
    print(f"wrote {path}")
    return 0
