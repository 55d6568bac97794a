"""Hyperparameter search over any key of a typed config (``graphkit sweep``), with Optuna.

- :class:`Sweep`: a study in a directory: SQLite storage, one run directory per trial,
  pruning from the trainer's per-epoch validation metrics, the best trial re-run
- :class:`SearchSpace`: ``key.path: {log_uniform|uniform|int|choice: [...]}``
"""

from graphkit.sweep.search_space import SearchSpace
from graphkit.sweep.sweep import Sweep
from graphkit.sweep.sweep_config import SweepConfig

__all__ = ["SearchSpace", "Sweep", "SweepConfig"]
