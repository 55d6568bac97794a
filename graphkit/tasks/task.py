"""The protocol every task implements; :class:`graphkit.trainers.Trainer` drives it.

A task owns the data of one run (one seed, one split index) and knows how to turn it
into batches, a loss and metrics. Composition, not subclassing: a task is any object
with these members.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Protocol, runtime_checkable

from torch import Tensor, nn

from graphkit.models.model_inputs import ModelInputs


class Task(Protocol):
    metric: str  # primary metric, e.g. "accuracy"; model selection uses it on "valid"
    higher_is_better: bool
    out_channels: int  # width of the model output the task expects

    def train_batches(self, epoch: int) -> Iterable[Any]:
        """Batches of one training epoch, already on the task's device. Any shuffling
        draws from torch's global RNG, which the trainer seeds and checkpoints."""

    def training_step(self, model: nn.Module, batch: Any) -> Tensor:
        """Scalar loss of one batch (the trainer does backward and the step)."""

    def eval_batches(self, split: str) -> Iterable[Any]:
        """Batches of ``split`` ("train", "valid" or "test")."""

    def eval_step(self, model: nn.Module, batch: Any) -> tuple[Tensor, Tensor]:
        """(prediction, target) of one batch, moved to CPU; concatenated over batches."""

    def metrics(self, pred: Tensor, target: Tensor) -> dict[str, float]:
        """All metrics of a split from the concatenated predictions; must contain ``metric``."""


@runtime_checkable
class ModelInputsHook(Protocol):
    """Optional hook of a task whose model reads other inputs than the dataset's (a
    pretraining task over several source graphs, a text side): the run builds the model
    from :meth:`model_inputs` instead of :func:`graphkit.models.model_inputs_for`."""

    def model_inputs(self) -> ModelInputs:
        """The data-derived sizes the task's model is built from (kept in checkpoints)."""


@runtime_checkable
class RunArtifactsHook(Protocol):
    """Optional hook of a task that keeps per-node (or other) arrays of a trained model with
    its run (GCL's node compactness): the run saves each as
    ``<name>-seed<seed>-split<split>.npy`` beside ``results.json``."""

    def artifacts(self, model: nn.Module) -> Mapping[str, Any]:
        """Name -> numpy array of the trained model (best checkpoint)."""
