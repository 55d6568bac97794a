"""The typed schema of a training run: ``graphkit train CONFIG.yaml [key.path=value ...]``.

Sections are frozen dataclasses; modules never see this object, ``build_*`` functions
turn it into typed constructor arguments.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Optional, Union

from graphkit.config.plugin_ref import PluginRef

if TYPE_CHECKING:
    from graphkit.config.loader import ConfigChoices


@dataclass(frozen=True)
class PEConfig:
    """Positional / structural encodings precomputed by the dataset registry.

    Args:
        lap_dim: number of Laplacian eigenvectors (0 = off), stored as ``data.lap_pe``.
        rwse_steps: random-walk return probabilities for 1..k steps (0 = off),
            stored as ``data.rwse``.
        hac_levels: levels of the hierarchical affinity clustering tokenization of
            GSM++ (0 = off), stored as ``data.hac_rank`` ``[N, hac_levels]``
            (:func:`graphkit.transforms.hac_tokenization.hac_ranks`).
        hac_seed: seed of the HAC tie-breaking and sibling order.
        dual_hypergraph: cache the sorted incidences of EHGNN's dual hypergraph with each
            graph (``data.dht_node_index`` / ``data.dht_edge``,
            :class:`graphkit.transforms.add_dual_incidence.AddDualIncidence`).
    """

    lap_dim: int = 0
    rwse_steps: int = 0
    hac_levels: int = 0
    hac_seed: int = 0
    dual_hypergraph: bool = False

    def __post_init__(self) -> None:
        if self.lap_dim < 0 or self.rwse_steps < 0 or self.hac_levels < 0:
            raise ValueError("pe.lap_dim, pe.rwse_steps and pe.hac_levels must be >= 0")


def _plain(value: object) -> bool:
    if isinstance(value, (list, tuple)):
        return all(_plain(v) for v in value)
    return value is None or isinstance(value, (str, int, float, bool))


@dataclass(frozen=True)
class DataConfig:
    """Args:
    name: a registered dataset (``graphkit data list``).
    root: processed-data cache; default ``$GRAPHKIT_DATA`` or the user cache dir.
    mirror: local mirror laid out like ``shared/datasets``; default ``$GRAPHKIT_MIRROR``.
    split: split protocol; ``default`` is the dataset's canonical one
        (e.g. ``public`` / ``geom-gcn`` for Planetoid, ``cv10`` for TU).
    splits: which split indices (folds, geom-gcn splits) to run, each is a run.
    batch_size: graphs per mini-batch for graph-level tasks.
    normalize_features: row-normalize ``x`` to sum 1 (Kipf & Welling's Planetoid preprocessing).
    args: options of the user's own data (``pyg:<class>`` constructor arguments such as
        ``{name: Photo}``; ``task`` / ``metric`` where they cannot be inferred): a mapping
        of plain values (str, int, float, bool, null and lists of them).
    sources: graphs of a pretraining task (``graphkit pretrain``, ``task.name:
        graphclip``): registered text-attributed graphs (``tag:arxiv_2023``) or TAG
        directories; empty = ``[name]``. Batches draw ``batch_size / len(sources)``
        pairs from each.
    directed: ``true`` keeps the raw edge direction, ``false`` symmetrizes the edges,
        ``auto`` lets AMUD decide from the training labels of split ``splits[0]``
        (``graphkit data amud NAME``); null (default) = the dataset's own behaviour. Only
        for datasets that record their direction (``graphkit data info``).
    """

    name: str
    root: Optional[str] = None
    mirror: Optional[str] = None
    split: str = "default"
    splits: tuple[int, ...] = (0,)
    pe: PEConfig = field(default_factory=PEConfig)
    batch_size: int = 32
    num_workers: int = 0
    normalize_features: bool = False
    args: Any = field(default_factory=dict)
    sources: tuple[str, ...] = ()
    directed: Union[bool, Literal["auto"], None] = None

    def __post_init__(self) -> None:
        if self.directed not in (None, True, False, "auto"):
            raise ValueError(f"data.directed must be true, false, auto or null, got {self.directed!r}")
        if not isinstance(self.args, dict) or not all(
                isinstance(k, str) and _plain(v) for k, v in self.args.items()):
            raise ValueError(f"data.args must map names to plain values, got {self.args!r}")
        if self.batch_size < 1:
            raise ValueError("data.batch_size must be >= 1")
        if not self.splits:
            raise ValueError("data.splits must name at least one split index")


@dataclass(frozen=True)
class ModelConfig:
    """Base of every model's config; ``name`` selects the model and its config class
    (through the ``model`` table handed to the loader: :class:`ConfigChoices`)."""

    choice_of: ClassVar[str] = "model"
    name: str


@dataclass(frozen=True)
class TaskConfig:
    """Base of every task's config; ``name`` selects the task and its config class (as
    ``model.name`` does), each task adding its own typed options
    (:mod:`graphkit.tasks`: e.g. ``NodeTaskConfig.num_neighbors``).

    Args:
        name: task protocol; default the dataset's own task.
        metric: primary metric for model selection and reporting; default the dataset's.
    """

    choice_of: ClassVar[str] = "task"
    name: Optional[str] = None
    metric: Optional[str] = None


@dataclass(frozen=True)
class OptimConfig:
    name: Literal["adam", "adamw"] = "adam"
    lr: float = 0.01
    weight_decay: float = 0.0
    scheduler: Literal["none", "cosine", "plateau", "step"] = "none"
    warmup_epochs: int = 0  # linear warm-up, cosine schedule only
    min_lr: float = 0.0
    plateau_factor: float = 0.5
    plateau_patience: int = 10
    step_size: int = 50  # step schedule: multiply the lr by gamma every step_size epochs
    gamma: float = 0.5
    clip_grad_norm: Optional[float] = None

    def __post_init__(self) -> None:
        if self.lr <= 0:
            raise ValueError("optim.lr must be > 0")
        if self.weight_decay < 0 or self.min_lr < 0 or self.warmup_epochs < 0:
            raise ValueError("optim.weight_decay, optim.min_lr and optim.warmup_epochs must be >= 0")
        if not 0 < self.plateau_factor < 1 or not 0 < self.gamma <= 1:
            raise ValueError("optim.plateau_factor must be in (0, 1) and optim.gamma in (0, 1]")
        if self.step_size < 1 or self.plateau_patience < 0:
            raise ValueError("optim.step_size must be >= 1 and optim.plateau_patience >= 0")
        if self.clip_grad_norm is not None and self.clip_grad_norm <= 0:
            raise ValueError("optim.clip_grad_norm must be > 0 (or null for no clipping)")


@dataclass(frozen=True)
class TrainerConfig:
    """Args:
    epochs: maximum number of epochs.
    patience: stop after this many evaluations without improvement (null = never).
    eval_every: evaluate on the validation split every N epochs.
    monitor: validation metric that selects the best epoch and drives early stopping
        and the plateau schedule; default the task's metric (``cross_entropy`` is a smoother
        choice on small validation sets).
    device: ``auto`` (CUDA when present), ``cpu`` or ``cuda[:i]``.
    threads: torch intra-op threads; null: 1 for steps under 50k nodes, else torch's default
        capped by the idle cores (:func:`graphkit.trainers.cpu_threads.default_threads`).
    """

    epochs: int = 200
    patience: Optional[int] = None
    eval_every: int = 1
    monitor: Optional[str] = None
    device: str = "auto"
    threads: Optional[int] = None
    quiet: bool = False

    def __post_init__(self) -> None:
        if self.epochs < 1 or self.eval_every < 1:
            raise ValueError("trainer.epochs and trainer.eval_every must be >= 1")
        if self.threads is not None and self.threads < 1:
            raise ValueError(f"trainer.threads (--threads) must be >= 1, got {self.threads}")
        if self.patience is not None and self.patience < 1:
            raise ValueError(f"trainer.patience must be >= 1 (or null for no early stopping), got {self.patience}")


@dataclass(frozen=True)
class WandbConfig:
    """Args:
    group: W&B group of the run's seeds/splits; default the run directory's parent name
        (``graphkit sweep`` puts every trial of a study in one group).
    """

    mode: Literal["offline", "online", "disabled"] = "offline"
    project: str = "graphkit"
    entity: Optional[str] = None
    tags: tuple[str, ...] = ()
    group: Optional[str] = None


@dataclass(frozen=True)
class TrackingConfig:
    wandb: WandbConfig = field(default_factory=WandbConfig)


@dataclass(frozen=True)
class RunConfig:
    data: DataConfig
    model: ModelConfig
    task: TaskConfig = field(default_factory=TaskConfig)
    optim: OptimConfig = field(default_factory=OptimConfig)
    trainer: TrainerConfig = field(default_factory=TrainerConfig)
    tracking: TrackingConfig = field(default_factory=TrackingConfig)
    seeds: tuple[int, ...] = (0,)
    name: Optional[str] = None  # run-dir name; default: <model>-<dataset> from the file
    # user code imported before the config is typed (graphkit.plugins); a run records each
    # with its file's sha256
    plugins: tuple[Union[str, PluginRef], ...] = ()

    def __post_init__(self) -> None:
        if not self.seeds:
            raise ValueError("seeds must list at least one seed")

    @classmethod
    def prepare(cls, data: dict, choices: Optional["ConfigChoices"]) -> dict:
        """Fills ``task.name`` from the dataset's registered task when the config leaves
        it out, so the ``task`` section is typed (and checked) by that task's config class."""
        task = data.get("task")
        data_section = data.get("data")
        if choices is not None and (task is None or (isinstance(task, dict) and task.get("name") is None)) \
                and isinstance(data_section, dict):
            name = choices.dataset_task(data_section.get("name"))
            if name is not None:
                data = {**data, "task": {**(task or {}), "name": name}}
        return data
