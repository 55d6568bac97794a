"""``graphkit sparsify RUN_DIR --config configs/sparsify/<name>.yaml``: prune a trained
graph transformer toward a FLOPs budget and compact it."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path

from graphkit.errors import ConfigError
from graphkit.progress import format_duration


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "sparsify", help="sparsify a trained GPS run toward a FLOPs budget (GTSP)",
        description="Fine-tune a trained GraphGPS run with learned masks toward a FLOPs budget, "
                    "compact it, and write a run directory with results.json (FLOPs, params, metric, "
                    "CPU latency of dense and compact).")
    p.add_argument("run_dir", type=Path, help="a trained run directory (graphkit train)")
    p.add_argument("overrides", nargs="*", help="dotted overrides, e.g. sparsify.target_flops=0.6")
    p.add_argument("--config", type=Path, help="sparsify YAML (configs/sparsify/...); default: defaults")
    p.add_argument("--checkpoint", default="best", help="best, last or a checkpoint path of RUN_DIR")
    p.add_argument("--seed", type=int, help="which seed of RUN_DIR to start from (default: its first)")
    p.add_argument("--out", type=Path, help="exact output run directory (default runs/<name>/<timestamp>)")
    p.add_argument("--runs-root", type=Path, default=Path("runs"), help="parent of run directories")
    p.add_argument("--resume", action="store_true", help="continue an interrupted sparsify run in --out")
    p.add_argument("--sweep", help="comma-separated FLOPs targets, e.g. 0.9,0.8,0.7; one run each "
                                   "under OUT/sweep-<t>/, and OUT/pareto.png")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.set_defaults(func=run)


def _parse_sweep(text: str) -> list[float]:
    try:
        targets = [float(t) for t in text.split(",") if t.strip()]
    except ValueError:
        raise ConfigError(f"--sweep: expected comma-separated fractions, got {text!r}") from None
    if not targets or any(not 0.0 < t <= 1.0 for t in targets):
        raise ConfigError(f"--sweep: every target must be in (0, 1], got {text!r}")
    return targets


def run(args: argparse.Namespace) -> int:
    import yaml

    from graphkit.api import sparsify, sparsify_setup
    from graphkit.atomic import write_text_atomic
    from graphkit.config import to_dict
    from graphkit.sparsify.sparsifier import Sparsifier
    from graphkit.trainers.run_dir import RunDir
    from graphkit.trainers.run_lock import claimed

    if args.resume and args.out is None:
        raise ConfigError("--resume needs --out OUT_DIR (the interrupted sparsify run)")
    plugins = getattr(args, "plugin", ())
    progress = not args.quiet  # bars on a terminal, plain lines in a log
    if not args.sweep:
        result = sparsify(args.run_dir, args.config, list(args.overrides), plugins, run_dir=args.out,
                          runs_root=args.runs_root, resume=args.resume, progress=progress,
                          checkpoint=args.checkpoint, seed=args.seed)
        _print(result.results, result.run_dir)
        return 0
    targets = _parse_sweep(args.sweep)
    cfg, loaded, out = sparsify_setup(args.run_dir, args.config, list(args.overrides), plugins, args.out,
                                      args.runs_root, args.resume, args.checkpoint, args.seed)
    # locked while it runs; a start that fails (a run that is not GPS, ...) leaves no directory
    with claimed(out, resume=args.resume, lock=True) as status:
        write_text_atomic(out.path / "sparsify.yaml", yaml.safe_dump(to_dict(cfg), sort_keys=False))
        # every target's sparsifier is built (and its run checked) before any fine-tuning
        # starts, so a start that fails leaves no directory behind
        sparsifiers = {t: Sparsifier(loaded, dataclasses.replace(
            cfg, sparsify=dataclasses.replace(cfg.sparsify, target_flops=t)),
            RunDir(out.path / f"sweep-{t:g}", create=False), progress) for t in targets}
        status["ok"] = True
        return _sweep(sparsifiers, out, args.resume)


def _sweep(sparsifiers: dict, out, resume: bool) -> int:
    """One sparsify run per FLOPs target under ``OUT/sweep-<t>/``, then ``OUT/pareto.png``."""
    from graphkit.sparsify.pareto_plot import plot_pareto
    from graphkit.trainers.run_dir import write_text_atomic

    points, start = {}, time.perf_counter()
    for k, (target, sparsifier) in enumerate(sparsifiers.items(), 1):
        if sparsifier.progress:
            elapsed = time.perf_counter() - start
            eta = f", ETA {format_duration(elapsed / (k - 1) * (len(sparsifiers) - k + 1))}" if k > 1 else ""
            print(f"sparsify: sweep point {k}/{len(sparsifiers)}: FLOPs target {target:g} "
                  f"({format_duration(elapsed)} elapsed{eta})", file=sys.stderr, flush=True)
        sparsifier.out.create()
        results = sparsifier.run(resume)
        points[f"{target:g}"] = results
        _print(results, sparsifier.out.path)
    summary = {t: {"summary": r["summary"], "dense": r["dense"]} for t, r in points.items()}
    write_text_atomic(out.path / "sweep.json", json.dumps(summary, indent=2) + "\n")
    plot_pareto(points, out.path / "pareto.png")
    print(f"Pareto plot: {out.path / 'pareto.png'}")
    return 0


def _print(results: dict, path: Path) -> None:
    metric = results["metric"]
    dense = results["dense"]
    print(f"dense: test {metric} {dense['test'][metric]:.4f}, {dense['flops']['total'] / 1e9:.3f} GFLOPs (test split), "
          f"{dense['params']} params")
    for method, s in results["summary"].items():
        t = s[f"test_{metric}"]
        print(f"{method}: test {metric} {t['mean']:.4f} ± {t['std']:.4f}, FLOPs x{s['flops_ratio']:.3f}, "
              f"CPU speed-up {s['speedup']:.2f}x, {s['params']:.0f} params")
    print(f"run directory: {path}")
