"""The model table: ``model.name`` -> :class:`ModelEntry` (typed config class + build function).

A plain table: it imports none of its members. :mod:`graphkit.catalog` registers the
built-in models and a plugin registers its own with
:func:`graphkit.plugins.register_model`; both write into :data:`MODELS`.
"""

from __future__ import annotations

from typing import Optional

from torch import nn

from graphkit.config.run_config import ModelConfig
from graphkit.datasets.loaded_dataset import LoadedDataset
from graphkit.errors import ConfigError
from graphkit.models.model_entry import ModelEntry
from graphkit.models.model_inputs import ModelInputs
from graphkit.registry import Registry

MODELS: Registry[ModelEntry] = Registry("model")


def build_model(cfg: ModelConfig, inputs: ModelInputs) -> nn.Module:
    """The one place where a model config becomes constructor arguments.

    ``inputs`` are the data-derived sizes (:meth:`ModelInputs.from_dataset`, or a
    checkpoint's ``build.inputs``); their ``level`` must be one the model supports.
    """
    entry = MODELS.get(cfg.name)
    if inputs.level not in entry.levels:
        raise ConfigError(
            f"model {cfg.name!r} does not support {inputs.level}-level tasks; "
            f"it supports: {', '.join(entry.levels)}"
        )
    try:
        return entry.build(cfg, inputs)
    except ValueError as e:
        raise ConfigError(str(e)) from None


def build_model_for(cfg: ModelConfig, dataset: LoadedDataset, out_channels: int,
                    task: Optional[str] = None) -> nn.Module:
    """:func:`build_model` with the inputs read off ``dataset`` (scripts and tests)."""
    return build_model(cfg, model_inputs_for(cfg, dataset, out_channels, task))


def model_inputs_for(cfg: ModelConfig, dataset: LoadedDataset, out_channels: int,
                     task: Optional[str] = None) -> ModelInputs:
    """The sizes ``cfg``'s model reads off ``dataset`` (the degree histogram only when the
    model uses it: it walks every training graph)."""
    entry = MODELS.get(cfg.name)
    return ModelInputs.from_dataset(dataset, out_channels, task,
                                    with_degree_histogram=entry.needs_degree_histogram(cfg))


__all__ = ["MODELS", "ModelEntry", "ModelInputs", "build_model", "build_model_for", "model_inputs_for"]
