"""``graphkit.load_run(run_dir)``: a trained run back in memory (config, dataset, task, model).

Every command that starts from a trained run (``graphkit eval``, ``lp analyze``,
zero/few-shot evaluation, sparsification) goes through :func:`load_run` or
:func:`graphkit.load_model`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional, Sequence

import torch
from torch import nn

from graphkit.config import RunConfig, from_dict
from graphkit.datasets.dataset_task import registered_task
from graphkit.datasets.loaded_dataset import LoadedDataset
from graphkit.errors import ConfigError
from graphkit.models.model_inputs import ModelInputs
from graphkit.runs.checkpoint_meta import CheckpointError, checkpoint_meta, model_from_meta, read_checkpoint
from graphkit.runs.config_loading import load_config
from graphkit.runs.run_setup import load_run_dataset, run_model_inputs, run_task
from graphkit.tasks import resolve_task_config
from graphkit.tasks.task import Task
from graphkit.trainers import checkpoint as ckpt
from graphkit.trainers.run_dir import RunDir

# sizes a model's weights depend on: a dataset to evaluate on must match them
_COMPATIBLE_FIELDS = ("level", "out_channels", "num_features", "node_encoder", "num_node_types",
                      "edge_encoder", "num_edge_features", "num_edge_types", "rwse_dim", "lap_dim")


@dataclass
class LoadedRun:
    """A trained run, ready to evaluate or to start something new from.

    Args:
        config: the run's resolved config (with any overrides applied).
        dataset: the dataset the task is built on (the run's own, or ``dataset=``).
        task: the run's task for (``seed``, ``split``), built as in training.
        model: the model with the checkpoint's weights, in eval mode on the task's device.
        inputs: the data sizes the model was built from (the checkpoint's).
        checkpoint: the checkpoint file the weights came from.
        seed, split: which of the run's (seed, split index) runs this is.
        run_dir: the run directory.
    """

    config: RunConfig
    dataset: LoadedDataset
    task: Task
    model: nn.Module
    inputs: ModelInputs
    checkpoint: Path
    seed: int
    split: int
    run_dir: RunDir


def read_run_config(run_dir: str | Path, overrides: Sequence[str] = ()) -> tuple[RunDir, RunConfig]:
    """The run directory and its resolved config, without creating anything in it."""
    rd = RunDir.existing(Path(run_dir))
    # the run's plugins are imported again from the files it recorded (checked by sha256)
    return rd, load_config(RunConfig, rd.read_config(), overrides)


def select_checkpoint(rd: RunDir, which: str | Path, seed: int, split: int) -> Path:
    """The checkpoint ``which`` names in run ``rd``: ``best`` (the best-validation weights of
    run (``seed``, ``split``)), ``last`` (the resume point) or a path; one selection for every
    command that starts from a trained run."""
    if which == "best":
        path = rd.best_of(seed, split)
        if not path.is_file():
            have = sorted(p.name for p in rd.checkpoints.glob("best-seed*-split*.pt"))
            raise ConfigError(f"no checkpoint {path.name} in {rd.checkpoints} (seed {seed}, split "
                              f"{split} has not finished); available: {', '.join(have) or 'none'}")
        return path
    if which == "last":
        if not rd.last.is_file():
            raise ConfigError(f"no checkpoint last.pt in {rd.checkpoints}")
        return rd.last
    return Path(which)


def load_run(
    run_dir: str | Path,
    seed: Optional[int] = None,
    split: Optional[int] = None,
    which: str | Path = "best",
    device: torch.device | str = "cpu",
    dataset: Optional[str] = None,
    overrides: Sequence[str] = (),
) -> LoadedRun:
    """Reloads a trained run: its config, dataset, task and model with its weights.

    Args:
        run_dir: a run directory written by ``graphkit train`` (or any command that writes
            runs: ``pretrain``, ``sparsify``).
        seed: which seed's run (default: the config's first).
        split: which split index (default: the config's first).
        which: ``best`` (the (seed, split) run's best-validation weights), ``last`` (the
            resume point) or a checkpoint path.
        device: where the model and the task's batches go.
        dataset: evaluate on another registered dataset (or path) of the same kind; its
            data sizes must match the model's.
        overrides: ``key.path=value`` overrides of the run's config (e.g. ``data.root=...``).
    """
    rd, cfg = read_run_config(run_dir, overrides)
    seed = cfg.seeds[0] if seed is None else int(seed)
    split = cfg.data.splits[0] if split is None else int(split)
    device = torch.device(device)
    path = select_checkpoint(rd, which, seed, split)
    state = read_checkpoint(path, device)
    meta = checkpoint_meta(state, path)
    if which == "last" and (state.get("seed"), state.get("split")) != (seed, split):
        raise ConfigError(f"{path} holds seed {state.get('seed')} split {state.get('split')}, "
                          f"not seed {seed} split {split}")
    data_cfg = cfg.data if dataset is None else dataclasses.replace(cfg.data, name=dataset)
    data = load_run_dataset(data_cfg)
    ckpt.seed_everything(seed)
    if dataset is not None:
        own = registered_task(cfg.data.name)
        if own is not None and own != data.task:
            raise ConfigError(f"dataset {data.name} is a {data.task} dataset; the run was "
                              f"trained on {cfg.data.name}, a {own} dataset")
    task_cfg = resolve_task_config(cfg.task, data)
    task = run_task(cfg, data, data=data_cfg, split=split, seed=seed, device=device, task_cfg=task_cfg)
    # the model is rebuilt from the checkpoint's own config, so `model.*` overrides (say
    # model.mamba_eval_orderings=1) must be applied to that config, not only to cfg
    model_overrides = [o[len("model."):] for o in overrides if o.startswith("model.")]
    _, inputs, model = model_from_meta(meta, path, model_overrides)
    foreign = which not in ("best", "last")  # a checkpoint path: maybe another run's
    if foreign and meta["model"].get("name") != cfg.model.name:
        raise ConfigError(f"checkpoint {path} does not belong to run {rd.path}: it holds a "
                          f"{meta['model'].get('name')!r} model, the run trained {cfg.model.name!r}")
    if dataset is not None or foreign:
        here = run_model_inputs(task, from_dict(type(cfg.model), meta["model"], "model"), data, task_cfg.name)
        wrong = [f"{f} {getattr(inputs, f)!r} vs {getattr(here, f)!r}" for f in _COMPATIBLE_FIELDS
                 if getattr(inputs, f) != getattr(here, f)]
        if wrong and dataset is not None:
            raise ConfigError(f"dataset {data.name} does not fit the model of {rd.path} "
                              f"(model vs dataset): {'; '.join(wrong)}")
        if wrong:
            raise ConfigError(f"checkpoint {path} does not belong to run {rd.path}: its model was built "
                              f"for other data (checkpoint vs {data.name}): {'; '.join(wrong)}")
    try:
        model.load_state_dict(state["model"])
    except RuntimeError as e:
        raise CheckpointError(f"{path}: weights do not fit the model they describe: "
                              f"{str(e).splitlines()[0]}") from None
    model.to(device).eval()
    return LoadedRun(config=cfg, dataset=data, task=task, model=model, inputs=inputs,
                     checkpoint=path, seed=seed, split=split, run_dir=rd)


def run_pairs(cfg: RunConfig, rd: RunDir) -> list[tuple[int, int]]:
    """The (seed, split) runs of ``cfg`` that finished in ``rd`` (have a best checkpoint)."""
    return [(s, k) for s in cfg.seeds for k in cfg.data.splits if rd.best_of(s, k).is_file()]


def describe(loaded: LoadedRun) -> dict[str, Any]:
    """A short plain-data description (for logs and result files)."""
    return {"run_dir": str(loaded.run_dir.path), "checkpoint": str(loaded.checkpoint),
            "seed": loaded.seed, "split": loaded.split, "dataset": loaded.dataset.name,
            "model": loaded.config.model.name}
