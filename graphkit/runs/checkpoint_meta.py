"""The ``build`` entry of a checkpoint: what rebuilds its model with no dataset in hand."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

import torch
from torch import nn

from graphkit.config import apply_overrides, from_dict, to_dict
from graphkit.config.run_config import ModelConfig
from graphkit.errors import ConfigError, GraphkitError, TrainingError
from graphkit.models import build_model
from graphkit.models.model_inputs import ModelInputs
from graphkit.trainers import checkpoint as ckpt

FORMAT = 1


class CheckpointError(GraphkitError):
    """A checkpoint that cannot be read or rebuilt (one-line CLI error)."""


def build_checkpoint_meta(model: ModelConfig, inputs: ModelInputs, task: str) -> dict[str, Any]:
    """Plain data (``weights_only``-loadable): the model config, the data-derived sizes and
    the task name."""
    return {"format": FORMAT, "model": to_dict(model), "inputs": inputs.to_dict(), "task": task}


def read_checkpoint(path: str | Path, device: torch.device | str = "cpu") -> dict[str, Any]:
    """Loads a checkpoint with ``weights_only=True``; every failure is one line naming the file."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"checkpoint {path} does not exist")
    try:  # the trainer's reader: graphkit's own line for pickled code, never torch's advice
        state = ckpt.load(path, device, remedy="point to a checkpoint graphkit wrote")
    except TrainingError as e:
        raise CheckpointError(str(e)) from None
    if not isinstance(state, dict) or "model" not in state:
        raise CheckpointError(f"{path} is not a graphkit checkpoint (no model weights)")
    return state


def checkpoint_meta(state: dict[str, Any], path: str | Path) -> dict[str, Any]:
    """The ``build`` entry, or an error saying why the checkpoint cannot be rebuilt."""
    meta = state.get("build")
    if meta is None:
        raise CheckpointError(
            f"{path} cannot be rebuilt: it was written before graphkit saved the model config "
            f"and data sizes beside the weights (no 'build' entry); retrain the run to get a "
            f"self-describing checkpoint")
    if meta.get("format") != FORMAT:
        raise CheckpointError(f"{path}: unknown checkpoint format {meta.get('format')!r} "
                              f"(this graphkit reads format {FORMAT})")
    return meta


def model_from_meta(meta: dict[str, Any], path: str | Path,
                    overrides: Sequence[str] = ()) -> tuple[ModelConfig, ModelInputs, nn.Module]:
    """(model config, inputs, freshly initialised model) described by ``meta``.

    ``overrides`` (``key=value``, relative to ``model``) change evaluation-time settings
    of the saved config, e.g. ``mamba_eval_orderings=1``; one that changes a weight's
    shape fails when the weights are loaded.
    """

    try:
        if overrides:
            cfg = apply_overrides(ModelConfig, meta["model"], list(overrides))
        else:
            cfg = from_dict(ModelConfig, meta["model"], "model")
        inputs = ModelInputs.from_dict(meta["inputs"])
    except (ConfigError, ValueError, TypeError, KeyError) as e:
        raise CheckpointError(f"{path}: cannot rebuild its model: {e}") from None
    return cfg, inputs, build_model(cfg, inputs)
