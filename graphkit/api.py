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

from torch import nn

from graphkit.catalog import load
from graphkit.config import RunConfig
from graphkit.distributed import DistContext
from graphkit.plugins import load_plugins
from graphkit.runs import LoadedRun
from graphkit.runs import load_model as _load_model
from graphkit.runs import load_run as _load_run
from graphkit.runs.config_loading import load_config
from graphkit.runs.experiment import run_experiment
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


__all__ = ["RunResult", "load_model", "load_run", "train"]
