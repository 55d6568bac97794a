"""The Python API: train a config, reload a trained run, load a model from a checkpoint.

Each call registers the built-in parts first (:func:`graphkit.catalog.load`), then the
plugins it is given, as the CLI does::

    import graphkit

    result = graphkit.train("configs/gcn/cora.yaml", overrides=["trainer.epochs=50"])
    result.test["accuracy"]["mean"], result.run_dir
    run = graphkit.load_run(result.run_dir)           # config, dataset, task, model
    model = graphkit.load_model(result.run_dir / "checkpoints/best.pt")
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional, Sequence

import torch
import yaml
from torch import nn

from graphkit.catalog import load
from graphkit.atomic import write_text_atomic
from graphkit.config import RunConfig, to_dict
from graphkit.errors import ConfigError
from graphkit.distributed import DistContext
from graphkit.plugins import load_plugins
from graphkit.runs import LoadedRun
from graphkit.runs import load_model as _load_model
from graphkit.runs import load_run as _load_run
from graphkit.runs.config_loading import load_config
from graphkit.runs.experiment import run_experiment
from graphkit.sparsify.sparsifier import Sparsifier
from graphkit.sparsify.sparsify_config import SparsifyRunConfig
from graphkit.trainers.run_dir import RunDir
from graphkit.trainers.run_lock import claimed
from graphkit.trainers.trainer import EpochCallback


@dataclass(frozen=True)
class RunResult:
    """What :func:`train` returns: the run directory and its ``results.json``.

    Args:
        run_dir: the run directory (reload it with :func:`load_run`).
        config: the resolved config the run trained (plugins recorded with their sha256).
        results: the ``results.json`` mapping (``val``/``test``: metric -> mean, std, per_seed).
    """

    run_dir: Path
    config: RunConfig
    results: dict[str, Any]

    @property
    def val(self) -> dict[str, Any]:
        return self.results["val"]

    @property
    def test(self) -> dict[str, Any]:
        return self.results["test"]


def train(config: str | Path | dict | RunConfig, overrides: Sequence[str] = (), plugins: Sequence[str] = (),
          run_dir: Optional[str | Path] = None, runs_root: str | Path = "runs", resume: bool = False,
          progress: bool = False, callbacks: Sequence[EpochCallback] = ()) -> RunResult:
    """Trains ``config`` (a YAML path, a mapping or a :class:`RunConfig`) over its seeds and
    splits, as ``graphkit train`` does, and returns its results.

    Args:
        overrides: ``key.path=value`` overrides (``["optim.lr=0.005"]``).
        plugins: modules or files to import first (beside the config's ``plugins:``).
        run_dir: the exact run directory (default ``<runs_root>/<name>/<timestamp>``).
        resume: continue the interrupted run in ``run_dir`` (its own config is used).
        progress: progress bars / per-epoch lines.
        callbacks: called with every epoch's metrics row; one raising
            :class:`~graphkit.trainers.run_stopped.RunStopped` ends the run after that epoch
            (the run directory stays resumable, no ``results.json``).
    """
    load()
    if resume:
        if run_dir is None:
            raise ValueError("train(resume=True) needs the run_dir to continue")
        rd = RunDir(Path(run_dir), create=False)
        cfg = load_config(RunConfig, rd.read_config(), plugins=plugins)
    else:
        cfg = load_config(RunConfig, config, overrides, plugins)
        if isinstance(config, (str, Path)):
            name = cfg.name or f"{Path(config).parent.name}-{Path(config).stem}"
        else:
            name = cfg.name or f"{cfg.model.name}-{cfg.data.name.replace('/', '-').replace(':', '-')}"
        rd = RunDir(Path(run_dir), create=False) if run_dir else RunDir.new(Path(runs_root), name, create=False)
    with claimed(rd, resume=resume, lock=True) as status:
        results = run_experiment(cfg, rd, resume=resume, progress=progress, dist=DistContext(),
                                 callbacks=callbacks)
        status["ok"] = True
    return RunResult(run_dir=rd.path, config=cfg, results=results)


@dataclass(frozen=True)
class SparsifyResult:
    """What :func:`sparsify` returns: the new run directory, its sparsify config and its
    ``results.json`` (``summary``: per method test metric, FLOPs ratio, speed-up; ``runs``)."""

    run_dir: Path
    config: SparsifyRunConfig
    results: dict[str, Any]


def sparsify_setup(run: str | Path | LoadedRun, config: str | Path | dict | None, overrides: Sequence[str],
                   plugins: Sequence[str], run_dir: Optional[str | Path], runs_root: str | Path, resume: bool,
                   checkpoint: str = "best", seed: Optional[int] = None
                   ) -> tuple[SparsifyRunConfig, LoadedRun, RunDir]:
    """The typed sparsify config (a resumed run's own ``sparsify.yaml``), the trained run and
    the output directory (not created yet) of :func:`sparsify`; ``graphkit sparsify --sweep``
    shares them between its FLOPs targets."""
    load()
    out_given = Path(run_dir) if run_dir is not None else None
    if resume and out_given is None:
        raise ValueError("sparsify(resume=True) needs the run_dir to continue")
    if resume and (out_given / "sparsify.yaml").is_file():
        cfg = load_config(SparsifyRunConfig, out_given / "sparsify.yaml", plugins=plugins)
    else:
        cfg = load_config(SparsifyRunConfig, config if config is not None else {}, list(overrides), plugins)
    if cfg.threads is not None:
        torch.set_num_threads(cfg.threads)
    if isinstance(run, LoadedRun):
        loaded = run
    else:
        if not Path(run).is_dir():
            raise ConfigError(f"{run} is not a run directory")
        loaded = _load_run(run, seed=seed, which=checkpoint)
    name = cfg.name or (f"sparsify-{Path(config).stem}" if isinstance(config, (str, Path)) else "sparsify")
    out = RunDir(out_given, create=False) if out_given else RunDir.new(Path(runs_root), name, create=False)
    return cfg, loaded, out


def sparsify(run: str | Path | LoadedRun, config: str | Path | dict | None = None, overrides: Sequence[str] = (),
             plugins: Sequence[str] = (), run_dir: Optional[str | Path] = None, runs_root: str | Path = "runs",
             resume: bool = False, progress: bool = False, callbacks: Sequence[EpochCallback] = (),
             checkpoint: str = "best", seed: Optional[int] = None) -> SparsifyResult:
    """Sparsifies a trained GPS-family run toward a FLOPs budget, as ``graphkit sparsify``
    does (one target), and returns its results.

    Args:
        run: the trained run directory, or a run already reloaded with :func:`load_run`
            (a sweep reloads it once for all its trials).
        config: the sparsify YAML (``configs/sparsify/...``), a mapping, or None (defaults).
        overrides: ``key.path=value`` overrides (``["sparsify.target_flops=0.6"]``).
        run_dir: the exact output directory (default ``<runs_root>/<name>/<timestamp>``).
        resume: continue the interrupted run in ``run_dir`` (its own ``sparsify.yaml`` is used).
        callbacks: called with every fine-tuning epoch's metrics row (all stages, all seeds);
            one raising :class:`~graphkit.trainers.run_stopped.RunStopped` ends the command.
        checkpoint, seed: which checkpoint of ``run`` to start from (ignored for a loaded run).
    """
    cfg, loaded, out = sparsify_setup(run, config, overrides, plugins, run_dir, runs_root, resume, checkpoint, seed)
    # locked while it runs; a start that fails (a run that is not GPS, ...) leaves no directory
    with claimed(out, resume=resume, lock=True) as status:
        write_text_atomic(out.path / "sparsify.yaml", yaml.safe_dump(to_dict(cfg), sort_keys=False))
        sparsifier = Sparsifier(loaded, cfg, out, progress, callbacks=tuple(callbacks))
        status["ok"] = True  # fine-tuning starts: an interrupted run is resumed, never removed
        results = sparsifier.run(resume)
    return SparsifyResult(run_dir=out.path, config=cfg, results=results)


def load_run(run_dir: str | Path, *args: Any, plugins: Sequence[str] = (), **kwargs: Any) -> LoadedRun:
    """Reloads a trained run (config, dataset, task, model): :func:`graphkit.runs.load_run`."""
    load()
    load_plugins(plugins)
    return _load_run(run_dir, *args, **kwargs)


def load_model(checkpoint: str | Path, *args: Any, plugins: Sequence[str] = (), **kwargs: Any) -> nn.Module:
    """A ready model from a checkpoint alone: :func:`graphkit.runs.load_model`."""
    load()
    load_plugins(plugins)
    return _load_model(checkpoint, *args, **kwargs)


__all__ = ["RunResult", "SparsifyResult", "load_model", "load_run", "sparsify", "train"]
