"""Trained runs as artifacts: self-describing checkpoints and the one public way to reload a run.

- :func:`load_run` -> :class:`LoadedRun` (config, dataset, task, model with weights)
- :func:`load_model` -> ``nn.Module`` from a checkpoint alone (no dataset)
- :func:`build_checkpoint_meta`: the ``build`` entry every checkpoint carries
"""

from graphkit.runs.checkpoint_meta import CheckpointError, build_checkpoint_meta, read_checkpoint
from graphkit.runs.load_model import load_model
from graphkit.runs.loaded_run import LoadedRun, load_run, read_run_config, run_pairs, select_checkpoint

__all__ = ["CheckpointError", "LoadedRun", "build_checkpoint_meta", "load_model", "load_run",
           "read_checkpoint", "read_run_config", "run_pairs", "select_checkpoint"]
