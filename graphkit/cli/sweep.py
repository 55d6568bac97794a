"""``graphkit sweep CONFIG --space SPACE.yaml --trials N``: hyperparameter search with Optuna."""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

from graphkit.cli.arguments import int_list
from graphkit.errors import ConfigError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "sweep", help="hyperparameter search over config keys (Optuna; one run directory per trial)",
        description="Searches the keys of SPACE.yaml (key.path: {log_uniform|uniform|int|choice: [...]}) "
                    "for the best --metric of CONFIG, each trial a run directory under the study "
                    "directory, pruned from per-epoch validation metrics; the study lives in "
                    "STUDY_DIR/study.db (SQLite), so a killed sweep continues with --resume and several "
                    "processes can work on one study. Then the best trial is re-run over the final "
                    "seeds and best.yaml, summary.json, history.png, importance.png are written. "
                    "With --from-run RUN_DIR, CONFIG is a sparsify config and each trial sparsifies "
                    "that trained run (graphkit sparsify).")
    p.add_argument("config", nargs="?", help="the base YAML config (omit with --resume)")
    p.add_argument("overrides", nargs="*", help="dotted overrides of the base config, e.g. trainer.epochs=100")
    p.add_argument("--from-run", type=Path, metavar="RUN_DIR",
                   help="a trained run each trial sparsifies with CONFIG, a sparsify config")
    p.add_argument("--space", type=Path, help="the search space YAML (e.g. configs/sweeps/gcn-cora.yaml)")
    p.add_argument("--trials", type=int, help="finished trials the study ends with (default 20)")
    p.add_argument("--metric", help="val.<metric> or test.<metric> of results.json (default val.<task metric>)")
    p.add_argument("--direction", choices=("max", "min"), help="default: the metric's own")
    p.add_argument("--study-dir", type=Path, help="the study directory (default sweeps/<name>/<timestamp>)")
    p.add_argument("--nproc", type=int, default=1, help="worker processes on this study (default 1)")
    p.add_argument("--resume", action="store_true",
                   help="continue the study in --study-dir (after a kill), or join it from another process")
    p.add_argument("--sampler", choices=("tpe", "grid", "random"), help="default tpe")
    p.add_argument("--pruner", choices=("sha", "median", "hyperband", "none"),
                   help="sha (successive halving; default), median, hyperband or none")
    p.add_argument("--seed", type=int, help="sampler seed (default 0)")
    p.add_argument("--final-seeds", help="seeds of the best trial's re-run, e.g. 0,1,2,3,4 (default the config's)")
    p.add_argument("--threads", type=int, help="torch CPU threads of each trial")
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)  # a --nproc child: trials only
    p.set_defaults(func=run)


def _given(args: argparse.Namespace) -> dict:
    return {k: getattr(args, k) for k in ("metric", "direction", "sampler", "pruner", "seed")
            if getattr(args, k) is not None}


def run(args: argparse.Namespace) -> int:
    from graphkit.sweep import Sweep
    from graphkit.sweep.sweep import describe

    if args.nproc < 1:
        raise ConfigError(f"--nproc must be >= 1, got {args.nproc}")
    if args.trials is not None and args.trials < 1:
        raise ConfigError(f"--trials must be >= 1, got {args.trials}")
    final_seeds = int_list(args.final_seeds, "--final-seeds") if args.final_seeds else None
    threads = "threads" if args.from_run is not None else "trainer.threads"  # a sparsify config: top level
    overrides = list(args.overrides) + ([f"{threads}={args.threads}"] if args.threads else [])
    if args.resume:
        if args.study_dir is None:
            raise ConfigError("--resume needs --study-dir DIR (the study to continue or join)")
        sweep = Sweep.open(args.study_dir)
        saved = {"metric": sweep.cfg.metric, "direction": sweep.cfg.direction, "sampler": sweep.cfg.sampler,
                 "pruner": sweep.cfg.pruner, "seed": sweep.cfg.seed}
        differ = [f"--{k} {v} (the study has {saved[k]})" for k, v in _given(args).items() if saved[k] != v]
        if final_seeds is not None and tuple(final_seeds) != tuple(sweep.cfg.final_seeds):
            differ.append(f"--final-seeds {args.final_seeds} (the study has "
                          f"{','.join(map(str, sweep.cfg.final_seeds)) or 'the config seeds'})")
        if args.from_run is not None and args.from_run.resolve() != Path(sweep.cfg.from_run or "").resolve():
            differ.append(f"--from-run {args.from_run} (the study has {sweep.cfg.from_run or 'none'})")
        if differ:
            raise ConfigError(f"--resume continues {args.study_dir} as it was started; drop {differ[0]}")
        if args.trials is not None and args.trials != sweep.cfg.trials:
            sweep = Sweep.open(args.study_dir, trials=args.trials)  # records the new trial count
    else:
        if args.config is None or args.space is None:
            raise ConfigError("give a config and --space SPACE.yaml (e.g. graphkit sweep configs/gcn/cora.yaml "
                              "--space configs/sweeps/gcn-cora.yaml --trials 20), or --resume --study-dir DIR")
        path = Path(args.config)
        study_dir = args.study_dir or Path("sweeps") / f"{path.parent.name}-{path.stem}" / \
            datetime.now().strftime("%Y%m%d-%H%M%S")
        g = _given(args)
        sweep = Sweep.create(study_dir, path, args.space, trials=args.trials or 20, overrides=overrides,
                             plugins=getattr(args, "plugin", ()), final_seeds=final_seeds or (),
                             metric=g.get("metric"), direction=g.get("direction"),
                             sampler=g.get("sampler", "tpe"), pruner=g.get("pruner"),
                             seed=g.get("seed", 0), from_run=args.from_run)
    if args.worker:
        sweep.work()
        return 0
    print(f"study directory: {sweep.path}", flush=True)
    if args.nproc > 1:
        _spawn(args, sweep.path)
    sweep.run_until_done()
    for line in describe(sweep.finish(), sweep.path):
        print(line)
    return 0


def _spawn(args: argparse.Namespace, study_dir: Path) -> None:
    """``--nproc`` worker processes on the study; returns when they have all ended."""
    argv = [sys.executable, "-m", "graphkit", "sweep", "--resume", "--study-dir", str(study_dir), "--worker"]
    for plugin in getattr(args, "plugin", ()):
        argv += ["--plugin", plugin]
    procs = [subprocess.Popen(argv) for _ in range(args.nproc)]
    try:
        while any(p.poll() is None for p in procs):
            time.sleep(0.2)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    failed = [p.returncode for p in procs if p.returncode != 0]
    if failed:
        raise ConfigError(f"{len(failed)} of {args.nproc} sweep workers failed (exit {failed[0]}); their "
                          f"errors are above; continue with --resume --study-dir {study_dir}")
