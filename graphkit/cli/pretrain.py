"""``graphkit pretrain CONFIG.yaml [key.path=value ...]``: GraphCLIP graph–summary
pretraining on several text-attributed graphs (``data.sources``), on the shared trainer."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from graphkit.errors import ConfigError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "pretrain", help="GraphCLIP pretraining on text-attributed graphs",
        description="Graph–summary contrastive pretraining (GraphCLIP) on data.sources; writes a run "
                    "directory that `graphkit zeroshot` and `graphkit fewshot` start from.",
    )
    p.add_argument("config", nargs="?", help="YAML config, e.g. configs/graphclip/arxiv_2023.yaml")
    p.add_argument("overrides", nargs="*", help="dotted overrides, e.g. trainer.epochs=2 data.sources=[tag:cora]")
    p.add_argument("--threads", type=int, help="torch CPU threads")
    p.add_argument("--device", help="auto, cpu, cuda or cuda:N")
    p.add_argument("--run-dir", type=Path, help="exact run directory (default runs/<name>/<timestamp>)")
    p.add_argument("--runs-root", type=Path, default=Path("runs"), help="parent of run directories")
    p.add_argument("--resume", type=Path, metavar="RUN_DIR", help="continue an interrupted run")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.add_argument("--nproc", type=int, default=1,
                   help="data-parallel processes (negatives are gathered across them); same as torchrun")
    p.set_defaults(func=run, seeds=None)


def run(args: argparse.Namespace) -> int:
    from graphkit.cli.train import _launch
    from graphkit.config import apply_overrides, from_dict, load_yaml
    from graphkit.pretrain.pretrain_config import PretrainConfig
    from graphkit.pretrain.pretrain_run import run_pretraining
    from graphkit.trainers.distributed import init_from_env, shutdown
    from graphkit.trainers.experiment import resolve_device
    from graphkit.trainers.run_dir import RunDir

    if args.resume is not None:
        if args.config or args.overrides:
            raise ConfigError("--resume takes the config from the run directory; give no config or overrides")
        if not args.resume.is_dir():
            raise ConfigError(f"--resume: {args.resume} is not a directory")
        run_dir = RunDir(args.resume)
        cfg = _sugar(from_dict(PretrainConfig, run_dir.read_config()), args)
        name = run_dir.path.parent.name
    else:
        if args.config is None:
            raise ConfigError("give a config file (e.g. configs/graphclip/arxiv_2023.yaml) or --resume RUN_DIR")
        path = Path(args.config)
        cfg = _sugar(apply_overrides(PretrainConfig, load_yaml(path), list(args.overrides)), args)
        name = cfg.name or f"{path.parent.name}-{path.stem}"
        run_dir = RunDir(args.run_dir) if args.run_dir else None
        if run_dir is None and "WORLD_SIZE" not in os.environ:
            run_dir = RunDir.new(args.runs_root, name)
    if args.nproc < 1:
        raise ConfigError(f"--nproc must be >= 1, got {args.nproc}")
    if args.nproc > 1 and "WORLD_SIZE" not in os.environ:
        return _launch(args, run_dir.path)
    dist = init_from_env(resolve_device(cfg.trainer.device))
    try:
        if run_dir is None:
            stamp = dist.broadcast_object(str(RunDir.new(args.runs_root, name).path) if dist.is_main else None)
            run_dir = RunDir(Path(stamp))
        progress = not (args.quiet or cfg.trainer.quiet) and sys.stderr.isatty()
        results = run_pretraining(cfg, run_dir, resume=args.resume is not None, progress=progress, dist=dist)
    finally:
        shutdown()
    if dist.is_main:
        val, test = results["val"], results["test"]
        print(f"graphclip on {results['dataset']}: held-out zero-shot accuracy val {val['zeroshot_accuracy']:.4f} "
              f"test {test['zeroshot_accuracy']:.4f}, contrastive loss val {val['contrastive_loss']:.4f} "
              f"({results['wall_seconds']:.1f}s)")
        print(f"run directory: {run_dir.path}")
    return 0


def _sugar(cfg, args: argparse.Namespace):
    """--threads/--device/--quiet on top of the config (recorded in it)."""
    from graphkit.config import apply_overrides

    extra = []
    if args.threads is not None:
        extra.append(f"trainer.threads={args.threads}")
    if args.device:
        extra.append(f"trainer.device={args.device!r}")
    if args.quiet:
        extra.append("trainer.quiet=True")
    return apply_overrides(type(cfg), cfg, extra) if extra else cfg
