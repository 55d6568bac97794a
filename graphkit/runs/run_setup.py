"""The one run setup: a config's device, dataset, task and model inputs, built the same way
for training (:func:`graphkit.runs.experiment.run_experiment`) and for every command that
starts from a trained run (:func:`graphkit.runs.load_run`: eval, zero/few-shot,
sparsification, analyses), so a reloaded run sees exactly what it was trained on."""

from __future__ import annotations

import dataclasses

import torch
from torch_geometric.transforms import NormalizeFeatures

from graphkit.config import DataConfig, ModelConfig, RunConfig, TaskConfig
from graphkit.datasets import LoadedDataset, load_dataset
from graphkit.distributed import DistContext
from graphkit.errors import ConfigError
from graphkit.models import model_inputs_for
from graphkit.models.model_inputs import ModelInputs
from graphkit.tasks import TaskContext, build_task, resolve_task_config
from graphkit.tasks.task import ModelInputsHook, Task


def resolve_device(name: str) -> torch.device:
    """``trainer.device``: ``auto`` (CUDA when present), ``cpu``, ``cuda`` or ``cuda:N``."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        device = torch.device(name)
    except RuntimeError:
        raise ConfigError(f"trainer.device: invalid device {name!r}; valid: auto, cpu, cuda, cuda:N") from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ConfigError(f"trainer.device is {name!r} but CUDA is not available")
    return device


def normalize_features(dataset: LoadedDataset) -> LoadedDataset:
    """Row-normalized copy of the dataset's float features (the cache stays raw)."""
    if dataset.node_encoder != "linear":
        raise ConfigError(f"data.normalize_features needs float features; {dataset.name} has {dataset.node_encoder}")
    norm = NormalizeFeatures()
    if dataset.data is not None:
        return dataclasses.replace(dataset, data=norm(dataset.data.clone()))
    return dataclasses.replace(dataset, graphs=[norm(g.clone()) for g in dataset.graphs])


def load_run_dataset(data: DataConfig) -> LoadedDataset:
    """The dataset of a run's ``data`` section, with its preprocessing applied."""
    dataset = load_dataset(data)
    return normalize_features(dataset) if data.normalize_features else dataset


def run_task(cfg: RunConfig, dataset: LoadedDataset, *, data: DataConfig, split: int, seed: int,
             device: torch.device, dist: DistContext = DistContext(), task_cfg: TaskConfig | None = None) -> Task:
    """The run's task for (``seed``, ``split``) on ``dataset`` (``data``: the data section it
    was loaded from, another dataset's when a run is evaluated elsewhere)."""
    task_cfg = task_cfg or resolve_task_config(cfg.task, dataset)
    return build_task(task_cfg, dataset, TaskContext(data=data, split_index=split, seed=seed, device=device,
                                                     dist=dist, progress=not cfg.trainer.quiet))


def run_model_inputs(task: Task, model: ModelConfig, dataset: LoadedDataset, task_name: str) -> ModelInputs:
    """The sizes the run's model is built from: the task's own (:class:`ModelInputsHook`:
    pretraining on several sources) or those read off the dataset."""
    if isinstance(task, ModelInputsHook):
        return task.model_inputs()
    return model_inputs_for(model, dataset, task.out_channels, task_name)
