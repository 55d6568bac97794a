"""A model registry entry: its typed config class and the function that builds it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from torch import nn

from graphkit.config.run_config import ModelConfig
from graphkit.models.model_inputs import ModelInputs

# build(cfg, inputs) -> module. ``inputs`` holds the data-derived sizes (input widths,
# encoders, degree histogram, output width) as plain values a checkpoint carries; nothing
# is written back into cfg.
BuildFn = Callable[[ModelConfig, ModelInputs], nn.Module]


@dataclass(frozen=True)
class ModelEntry:
    config_class: type[ModelConfig]
    build: BuildFn
    levels: tuple[str, ...] = ("node", "graph")  # task levels the model supports
    # the model reads the training graphs' degree histogram (PNA-style local convs)
    needs_degree_histogram: Callable[[ModelConfig], bool] = lambda cfg: False
