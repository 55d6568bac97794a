"""The typed recipe of ``graphkit fewshot [--config FILE.yaml] [RUN] [key.path=value ...]``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Optional, Union

from graphkit.config import PluginRef, TrackingConfig


@dataclass(frozen=True)
class FewShotConfig:
    """Few-shot node classification from a pretrained GraphCLIP run
    (`GraphCLIP <https://arxiv.org/abs/2410.10329>`_): graph prompt tuning vs a linear probe
    vs full fine-tuning at equal shots, plus the zero-shot accuracy on a second dataset
    after tuning (forgetting).

    Defaults of the three methods were chosen on Cora's validation nodes at 5 shots
    (``eval_split: valid``), each over its own grid: prompt lr 0.003/0.001/0.0003 with the
    label prompt (graph prompt alone: 0.1/0.03/0.01/0.003/0.001), probe C 0.1/1/10/100,
    fine-tuning lr 1e-3/3e-4/1e-4/3e-5/1e-5/3e-6.

    Args:
        pretrained: a ``graphkit pretrain`` run directory or a checkpoint file (the
            command's positional ``RUN``).
        dataset: registered TAG or TAG directory to adapt to (``--dataset``).
        shots: shots per class (default ``[1, 3, 5, 10]``; each >= 1).
        seeds: seeds of every shot count (default ``[0, 1, 2, 3, 4]``).
        second_dataset: dataset whose zero-shot accuracy shows forgetting (default: the
            pretraining run's first source).
        second_nodes: test nodes of the second dataset scored (default 1000; 0 = all).
        epochs: tuning epochs of prompt and fine-tuning (default 100, >= 1).
        prompt_lr: learning rate of prompt tuning (default 0.001, > 0).
        prompt_basis: GPF-plus basis vectors of the prompt (default 8; 1 = one shared
            vector, GPF).
        label_prompt: tune learned class-text offsets with the graph prompt (default true).
        finetune_lr: learning rate of full fine-tuning (default 1e-5, > 0).
        probe_c: inverse L2 strength of the linear probe's logistic regression (default 10).
        eval_split: nodes scored, ``test`` (default) or ``valid``: choose settings on
            valid, report on test.
        template: label text template with ``{c}`` (default: the dataset's).
        checkpoint: ``best`` or ``last`` of a run directory (default ``best``).
        quiet: no progress (default false).
        tracking: W&B tracking, as ``graphkit train``'s (offline by default).
        plugins: user code imported before the config is typed (:mod:`graphkit.plugins`),
            recorded with each file's sha256.
    """

    pretrained: str
    dataset: str
    shots: tuple[int, ...] = (1, 3, 5, 10)
    seeds: tuple[int, ...] = (0, 1, 2, 3, 4)
    second_dataset: Optional[str] = None
    second_nodes: int = 1000
    epochs: int = 100
    prompt_lr: float = 0.001
    prompt_basis: int = 8
    label_prompt: bool = True
    finetune_lr: float = 1e-5
    probe_c: float = 10.0
    eval_split: Literal["test", "valid"] = "test"
    template: Optional[str] = None
    checkpoint: str = "best"
    quiet: bool = False
    tracking: TrackingConfig = field(default_factory=TrackingConfig)
    plugins: tuple[Union[str, PluginRef], ...] = ()

    def __post_init__(self) -> None:
        if not self.shots or not self.seeds:
            raise ValueError("shots (--shots) and seeds (--seeds) must list at least one value")
        if min(self.shots) < 1 or self.epochs < 1 or self.prompt_basis < 1:
            raise ValueError("shots (--shots), epochs (--epochs) and prompt_basis (--prompt-basis) must be >= 1")
        if min(self.prompt_lr, self.finetune_lr, self.probe_c) <= 0:
            raise ValueError("prompt_lr (--prompt-lr), finetune_lr (--finetune-lr) and probe_c (--probe-c) "
                             "must be > 0")
        if self.second_nodes < 0:
            raise ValueError(f"second_nodes (--second-nodes) must be >= 0, got {self.second_nodes}")
