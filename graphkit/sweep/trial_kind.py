"""What a sweep needs of the command its trials run (``graphkit train`` or ``graphkit sparsify``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol, Sequence

from graphkit.trainers.run_dir import RunDir
from graphkit.trainers.trainer import EpochCallback


class TrialKind(Protocol):
    """The command a study's trials run: :class:`~graphkit.sweep.train_trials.TrainTrials`
    (train and pretraining configs) or :class:`~graphkit.sweep.sparsify_trials.SparsifyTrials`.

    Attributes:
        base: the typed base config, the one the space's keys belong to.
        first: the (seed, split) whose epochs are reported to the pruner.
        epochs: a trial's epoch budget (the pruner's largest resource).
        rerun: the command that runs ``best.yaml`` (``{best}`` stands for its path).
        record: the file a started run directory holds its config in.
    """

    record: str
    base: Any
    first: tuple[int, int]
    epochs: int
    rerun: str

    def default_metric(self) -> str:
        """``val.<metric>`` the study optimises when ``--metric`` is not given."""
        ...

    def run(self, overrides: Sequence[str], run_dir: Path, resume: bool, callbacks: Sequence[EpochCallback],
            trial: bool) -> dict[str, Any]:
        """Runs the base config with ``overrides`` into ``run_dir`` (``trial``: a search
        trial; else the best config's re-run) and returns ``{"metric", "seeds", "val",
        "test"}``, each split a mapping metric -> {mean, std}."""
        ...

    def finished(self, run_dir: Path) -> dict[str, Any] | None:
        """What :meth:`run` returned for the finished run in ``run_dir``; None if unfinished."""
        ...

    def config_of(self, run_dir: Path) -> dict[str, Any]:
        """The config the run in ``run_dir`` was started with (as written there)."""
        ...


def count_epochs(run_dir: Path) -> int:
    """Epochs logged under ``run_dir``: the rows of every ``metrics.jsonl`` in it (a sparsify
    run logs each fine-tuning stage in its own directory)."""
    return sum(len(RunDir(p.parent, create=False).read_metrics()) for p in Path(run_dir).rglob("metrics.jsonl"))
