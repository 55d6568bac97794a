"""The one way an epoch callback ends a run early."""

from __future__ import annotations


class RunStopped(Exception):
    """Raised by an epoch callback (:data:`graphkit.trainers.trainer.EpochCallback`) to end
    the run after the epoch it was called for: a hyperparameter search prunes an
    unpromising trial this way (``graphkit sweep``). The epoch's metrics row and
    ``last.pt`` are written before the callbacks run, so the run directory stays a
    consistent, resumable run; no ``results.json`` is written.

    Args:
        reason: why the run stopped (``"pruned at epoch 12"``).
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
