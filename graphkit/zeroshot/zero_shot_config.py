"""The typed recipe of ``graphkit zeroshot [--config FILE.yaml] [RUN] [key.path=value ...]``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Optional, Union

from graphkit.config import PluginRef, TrackingConfig


@dataclass(frozen=True)
class ZeroShotConfig:
    """Zero-shot node classification with a pretrained GraphCLIP model
    (`GraphCLIP <https://arxiv.org/abs/2410.10329>`_), optionally beside the training-free
    text baselines on the same nodes.

    Args:
        pretrained: a ``graphkit pretrain`` run directory or a checkpoint file (the
            command's positional ``RUN``).
        dataset: registered TAG (``tag:cora``) or a TAG directory (``--dataset``). Left
            out: the evaluation suite over ``targets``
            (:mod:`graphkit.zeroshot.zero_shot_suite`).
        targets: the suite's target TAGs (``--targets a,b``); default every registered TAG
            that was not a pretraining source of the run. Sources are always left out.
        split: ``test`` (the dataset's first split's test nodes, default) or ``all`` nodes.
        baselines: also the training-free baselines (node text, k-hop mean of node texts),
            every method under both rules (raw cosine, and ``-mean``: the graph's mean
            embedding subtracted first). Default false.
        subtract_mean: subtract the graph's mean embedding before the cosine (label-free).
            Default false.
        hops: hops of the propagated text, the baseline's and the text prior's (default 2,
            >= 1).
        text_prior: weight of the propagated-text cosine added to the encoder's (default 1,
            >= 0; 0 = the encoder alone, which is always reported too as
            ``graphclip_encoder``).
        template: label text template with ``{c}`` (default: the dataset's).
        class_texts: ``names`` (template with the class name), ``descriptions`` (the class
            description alone) or ``both`` (name, then description). Default: ``both`` with
            the dataset's own descriptions where it has them, names otherwise. Asked for
            explicitly, descriptions come from ``class_descriptions``, else the dataset's
            own, else the published file of a registered TAG
            (:data:`graphkit.text.class_descriptions.KNOWN_FILES`).
        class_descriptions: a class description file (CSV ``name,description``, text
            blocks, or JSON ``{name: text}``), matched to the label order by class name.
        checkpoint: ``best`` or ``last`` of a run directory (default ``best``).
        device: torch device of the encoder (default ``cpu``).
        quiet: no progress bars (default false).
        tracking: W&B tracking, as ``graphkit train``'s (offline by default).
        plugins: user code imported before the config is typed (:mod:`graphkit.plugins`),
            recorded with each file's sha256.
    """

    pretrained: str
    dataset: Optional[str] = None
    targets: tuple[str, ...] = ()
    split: Literal["test", "all"] = "test"
    baselines: bool = False
    subtract_mean: bool = False
    hops: int = 2
    text_prior: float = 1.0
    template: Optional[str] = None
    class_texts: Optional[Literal["names", "descriptions", "both"]] = None
    class_descriptions: Optional[str] = None
    checkpoint: str = "best"
    device: str = "cpu"
    quiet: bool = False
    tracking: TrackingConfig = field(default_factory=TrackingConfig)
    plugins: tuple[Union[str, PluginRef], ...] = ()

    def __post_init__(self) -> None:
        if self.hops < 1:
            raise ValueError(f"hops (--hops) must be >= 1, got {self.hops}")
        if self.text_prior < 0:
            raise ValueError(f"text_prior (--text-prior) must be >= 0, got {self.text_prior}")
        if self.dataset and self.targets:
            raise ValueError("give either dataset (--dataset, one graph) or targets (--targets, the suite), not both")
