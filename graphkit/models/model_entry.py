"""A model registry entry: its typed config class and the function that builds it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from torch import nn

from graphkit.config.run_config import ModelConfig
from graphkit.datasets.loaded_dataset import LoadedDataset

# build(cfg, dataset, out_channels) -> module. ``dataset`` supplies the run-time facts
# (input widths, encoders, degree histograms); nothing is written back into cfg.
BuildFn = Callable[[ModelConfig, LoadedDataset, int], nn.Module]


@dataclass(frozen=True)
class ModelEntry:
    config_class: type[ModelConfig]
    build: BuildFn
    levels: tuple[str, ...] = ("node", "graph")  # task levels the model supports
