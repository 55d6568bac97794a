"""``graphkit train CONFIG.yaml [key.path=value ...]``: train and evaluate a config."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from graphkit.config import RunConfig, apply_overrides, from_dict, load_yaml
from graphkit.errors import ConfigError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "train", help="train a model from a YAML config",
        description="Train a config over its seeds/splits; writes a run directory.",
    )
    p.add_argument("config", nargs="?", help="YAML config (omit with --resume)")
    p.add_argument("overrides", nargs="*", help="dotted overrides, e.g. optim.lr=0.005 model.name=gat")
    p.add_argument("--seeds", help="comma-separated seeds, e.g. 0,1,2 (overrides `seeds`)")
    p.add_argument("--threads", type=int, help="torch CPU threads (1 is often fastest on small boxes)")
    p.add_argument("--device", help="auto, cpu, cuda or cuda:N")
    p.add_argument("--run-dir", type=Path, help="exact run directory (default runs/<name>/<timestamp>)")
    p.add_argument("--runs-root", type=Path, default=Path("runs"), help="parent of run directories")
    p.add_argument("--resume", type=Path, metavar="RUN_DIR", help="continue an interrupted run")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.set_defaults(func=run)


def _parse_seeds(text: str) -> list[int]:
    try:
        return [int(s) for s in text.split(",") if s.strip()]
    except ValueError:
        raise ConfigError(f"--seeds: expected comma-separated integers, got {text!r}") from None


def run(args: argparse.Namespace) -> int:
    from graphkit.trainers.experiment import run_experiment
    from graphkit.trainers.run_dir import RunDir

    if args.resume is not None:
        if args.config or args.overrides or args.seeds:
            raise ConfigError("--resume takes the config from the run directory; give no config, overrides or seeds")
        run_dir = RunDir(args.resume) if args.resume.is_dir() else None
        if run_dir is None:
            raise ConfigError(f"--resume: {args.resume} is not a directory")
        cfg = from_dict(RunConfig, run_dir.read_config())
        cfg = _sugar(cfg, args)
    else:
        if args.config is None:
            raise ConfigError("give a config file (e.g. configs/gcn/cora.yaml) or --resume RUN_DIR")
        path = Path(args.config)
        overrides = list(args.overrides)
        if args.seeds:
            overrides.append(f"seeds={_parse_seeds(args.seeds)}")
        cfg = _sugar(apply_overrides(RunConfig, load_yaml(path), overrides), args)
        name = cfg.name or f"{path.parent.name}-{path.stem}"
        run_dir = RunDir(args.run_dir) if args.run_dir else RunDir.new(args.runs_root, name)
    progress = not (args.quiet or cfg.trainer.quiet) and sys.stderr.isatty()
    results = run_experiment(cfg, run_dir, resume=args.resume is not None, progress=progress)
    metric = results["metric"]
    test, val = results["test"][metric], results["val"][metric]
    n = len(test["per_seed"])
    print(f"{results['model']} on {results['dataset']}: test {metric} {test['mean']:.4f} ± {test['std']:.4f} "
          f"(val {val['mean']:.4f} ± {val['std']:.4f}; {n} run{'s' if n > 1 else ''}, "
          f"{results['wall_seconds']:.1f}s)")
    print(f"run directory: {run_dir.path}")
    return 0


def _sugar(cfg: RunConfig, args: argparse.Namespace) -> RunConfig:
    """Applies --threads/--device/--quiet on top of the config (they are recorded in it)."""
    extra = []
    if args.threads is not None:
        extra.append(f"trainer.threads={args.threads}")
    if args.device:
        extra.append(f"trainer.device={args.device!r}")
    if args.quiet:
        extra.append("trainer.quiet=True")
    return apply_overrides(RunConfig, cfg, extra) if extra else cfg
