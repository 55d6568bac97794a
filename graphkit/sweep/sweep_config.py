"""What a sweep is, as written to ``STUDY_DIR/sweep.yaml`` (read back by ``--resume``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Optional


@dataclass(frozen=True)
class SweepConfig:
    """Args:
    config: the base config file, as given (a record; the trials train ``base``).
    source: the base config as written (file plus overrides), for ``best.yaml``.
    base: the typed base config, resolved (plugins recorded with their sha256).
    space: the search space (:class:`graphkit.sweep.search_space.SearchSpace`'s YAML form).
    trials: finished trials (complete, pruned or failed by an error) the study ends with.
    metric: ``val.<metric>`` (or ``test.<metric>``) of ``results.json`` the study optimises;
        the per-epoch ``val_<metric>`` of the first seed prunes.
    direction: ``max`` or ``min``.
    sampler: ``tpe`` (default), ``grid`` or ``random``.
    pruner: ``sha`` (successive halving, the default), ``median``, ``hyperband`` or ``none``.
    seed: sampler seed (a worker adds its index).
    final_seeds: seeds of the best trial's re-run; empty: the base config's.
    name: the study's name (its W&B group).
    from_run: the trained run a sparsify config's trials start from (absolute path); None
        for a train (or pretraining) config.
    """

    config: str
    source: Any
    base: Any
    space: Any
    trials: int
    metric: str
    direction: Literal["max", "min"]
    name: str
    sampler: Literal["tpe", "grid", "random"] = "tpe"
    pruner: Literal["sha", "median", "hyperband", "none"] = "sha"
    seed: int = 0
    final_seeds: tuple[int, ...] = ()
    from_run: Optional[str] = None

    def __post_init__(self) -> None:
        if self.trials < 1:
            raise ValueError(f"--trials must be >= 1, got {self.trials}")
        split, _, name = self.metric.partition(".")
        if split not in ("val", "test") or not name:
            raise ValueError(f"--metric must be val.<metric> or test.<metric> (e.g. val.accuracy), got {self.metric!r}")
