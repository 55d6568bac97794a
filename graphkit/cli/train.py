"""``graphkit train CONFIG.yaml [key.path=value ...]``: train and evaluate a config."""

from __future__ import annotations

import argparse
import contextlib
import errno
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Optional

from graphkit.cli.arguments import int_list
from graphkit.config import RunConfig, apply_overrides
from graphkit.errors import ConfigError, TrainingError

# a full or read-only disk under the run directory: the user frees space and resumes
_DISK_ERRNOS = (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EFBIG)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "train", help="train a model from a YAML config",
        description="Train a config over its seeds/splits; writes a run directory.",
    )
    p.add_argument("config", nargs="?", help="YAML config (omit with --resume)")
    p.add_argument("overrides", nargs="*", help="dotted overrides, e.g. optim.lr=0.005 model.name=gat")
    p.add_argument("--seeds", help="comma-separated seeds, e.g. 0,1,2 (overrides `seeds`)")
    p.add_argument("--threads", type=int,
                   help="torch CPU threads (default: 1 for steps under 50k nodes, else the idle cores)")
    p.add_argument("--device", help="auto, cpu, cuda or cuda:N")
    p.add_argument("--run-dir", type=Path, help="exact run directory (default runs/<name>/<timestamp>)")
    p.add_argument("--runs-root", type=Path, default=Path("runs"), help="parent of run directories")
    p.add_argument("--resume", type=Path, metavar="RUN_DIR", help="continue an interrupted run")
    p.add_argument("--quiet", action="store_true",
                   help="no progress (bars on a terminal, one line per epoch in a log file)")
    p.add_argument("--nproc", type=int, default=1,
                   help="data-parallel processes on this machine (torch.distributed; gloo on CPU, "
                        "nccl on GPU); same as launching with torchrun --nproc-per-node N")
    p.set_defaults(func=run)


def _launch(args: argparse.Namespace, run_dir: Path) -> int:
    """Starts ``--nproc`` copies of this command with torchrun's environment variables."""
    from graphkit.distributed import free_port

    argv = list(args.argv)
    i = next(k for k, a in enumerate(argv) if a == "--nproc" or a.startswith("--nproc="))
    del argv[i: i + (1 if "=" in argv[i] else 2)]
    if args.resume is None and args.run_dir is None:
        argv += ["--run-dir", str(run_dir)]
    from graphkit.trainers.run_lock import HELD_ENV

    port = str(free_port())
    procs = []
    for rank in range(args.nproc):
        env = {**os.environ, HELD_ENV: str(run_dir), "RANK": str(rank), "LOCAL_RANK": str(rank), "WORLD_SIZE": str(args.nproc),
               "LOCAL_WORLD_SIZE": str(args.nproc), "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": port}
        out = None if rank == 0 else subprocess.DEVNULL
        procs.append(subprocess.Popen([sys.executable, "-m", "graphkit", *argv], env=env, stdout=out))
    code = 0
    try:
        while procs:
            for proc in list(procs):
                rc = proc.poll()
                if rc is None:
                    continue
                procs.remove(proc)
                if rc != 0 and code == 0:
                    code = rc
                    for other in procs:  # a dead rank leaves the others waiting forever
                        other.terminate()
            time.sleep(0.05)
    finally:
        for proc in procs:
            proc.kill()
    return code


def run(args: argparse.Namespace) -> int:
    from graphkit.distributed import init_from_env, shutdown
    from graphkit.runs.config_loading import load_config
    from graphkit.runs.experiment import run_experiment
    from graphkit.runs.run_setup import resolve_device
    from graphkit.trainers.run_dir import RunDir
    from graphkit.trainers.run_lock import HELD_ENV, claimed, started

    if args.nproc < 1:
        raise ConfigError(f"--nproc must be >= 1, got {args.nproc}")
    resume = args.resume is not None
    if resume:
        if args.config or args.overrides or args.seeds:
            raise ConfigError("--resume takes the config from the run directory; give no config, overrides or seeds")
        if not args.resume.is_dir():
            raise ConfigError(f"--resume: {args.resume} is not a directory")
        run_dir = RunDir(args.resume, create=False)  # nothing is created in a directory that is not a run
        cfg = load_config(RunConfig, run_dir.read_config(), plugins=getattr(args, "plugin", ()))
        cfg = _sugar(cfg, args)
        if not getattr(args, "require_pretraining", False) and _is_pretraining(cfg.task.name):
            raise ConfigError(f"{args.resume} is a pretraining run (task {cfg.task.name!r}): continue it with "
                              f"graphkit pretrain --resume {args.resume}")
    else:
        if args.config is None:
            raise ConfigError("give a config file (e.g. configs/gcn/cora.yaml) or --resume RUN_DIR")
        path = Path(args.config)
        overrides = list(args.overrides)
        if args.seeds:
            overrides.append(f"seeds={int_list(args.seeds, '--seeds')}")
        cfg = _sugar(load_config(RunConfig, path, overrides, plugins=getattr(args, "plugin", ())), args)
        cfg, trained_on = _other_dataset(cfg, overrides)
        name = cfg.name or f"{path.parent.name}-{trained_on or path.stem}"
        run_dir = RunDir(args.run_dir, create=False) if args.run_dir else None
        if run_dir is None and "WORLD_SIZE" not in os.environ:
            run_dir = RunDir.new(args.runs_root, name, create=False)
    if getattr(args, "require_pretraining", False):
        _check_pretraining(cfg)
    if args.nproc > 1 and "WORLD_SIZE" not in os.environ:
        # the launcher holds the run directory for the processes it starts
        with claimed(run_dir, resume=resume, lock=True) as status:
            code = _launch(args, run_dir.path)
            status["ok"] = code == 0
        return code
    dist = init_from_env(resolve_device(cfg.trainer.device))
    try:
        if run_dir is None:  # torchrun without --run-dir: rank 0 names it for everyone
            stamp = dist.broadcast_object(
                str(RunDir.new(args.runs_root, name, create=False).path) if dist.is_main else None)
            run_dir = RunDir(Path(stamp), create=False)
        owner = dist.is_main
        lock = owner and os.environ.get(HELD_ENV) != str(run_dir.path)
        with claimed(run_dir, resume=resume, lock=lock) if owner else contextlib.nullcontext({}) as status:
            # bars on a terminal, one line per epoch in a log (the Trainer picks); --quiet: nothing
            progress = not (args.quiet or cfg.trainer.quiet)
            try:
                results = run_experiment(cfg, run_dir, resume=resume, progress=progress, dist=dist)
            except OSError as e:
                if e.errno not in _DISK_ERRNOS:
                    raise
                then = (f"continue with: graphkit train --resume {run_dir.path}" if started(run_dir)
                        else "start again")
                raise TrainingError(
                    f"cannot write under {run_dir.path}: {e.strerror}{f' ({e.filename})' if e.filename else ''}; "
                    f"free space there, then {then}"
                ) from None
            status["ok"] = True
    finally:
        shutdown()
    if not dist.is_main:
        return 0
    metric = results["metric"]
    test, val = results["test"][metric], results["val"][metric]
    n = len(test["per_seed"])
    print(f"{results['model']} on {results['dataset']}: test {metric} {test['mean']:.4f} ± {test['std']:.4f} "
          f"(val {val['mean']:.4f} ± {val['std']:.4f}; {n} run{'s' if n > 1 else ''}, "
          f"{results['wall_seconds']:.1f}s)")
    print(f"run directory: {run_dir.path}")
    return 0


def _is_pretraining(name: str | None) -> bool:
    from graphkit.tasks import TASKS

    return name is not None and name in TASKS and TASKS.get(name).pretraining


def _check_pretraining(cfg: RunConfig) -> None:
    """``graphkit pretrain`` runs registered pretraining tasks only."""
    from graphkit.tasks import TASKS

    pretraining = [name for name in TASKS if TASKS.get(name).pretraining]
    name = cfg.task.name
    if name is None or name not in TASKS or not TASKS.get(name).pretraining:
        raise ConfigError(f"graphkit pretrain runs a pretraining task (task.name: {', '.join(pretraining)}), "
                          f"got {name!r}; other tasks run with graphkit train")


def _other_dataset(cfg: RunConfig, overrides: list[str]) -> tuple[RunConfig, Optional[str]]:
    """A config written for one dataset run on another (``data.name=...`` on the command
    line): the run is named after the dataset it trains on, and a ``data.split`` the config
    fixed for its own dataset that the new one does not offer becomes ``default``, with a
    note (a split the new dataset has, or one given on the command line, is kept)."""
    from graphkit.datasets.resolve import dataset_slug, resolve_dataset

    given = {o.split("=", 1)[0].strip() for o in overrides}
    if "data.name" not in given:
        return cfg, None
    if "data.split" not in given and cfg.data.split != "default":
        spec = resolve_dataset(cfg.data)
        if cfg.data.split not in spec.splits:
            print(f"note: data.split={cfg.data.split} comes from the config's own dataset; {spec.name} has "
                  f"no such split, so its default is used ({', '.join(spec.splits)}: set data.split)")
            cfg = apply_overrides(RunConfig, cfg, ["data.split='default'"])
    return cfg, dataset_slug(cfg.data.name)


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
