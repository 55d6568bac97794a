"""The typed config of ``graphkit sparsify RUN_DIR --config configs/sparsify/<name>.yaml``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Optional, Union

from graphkit.config.plugin_ref import PluginRef
from graphkit.config.run_config import OptimConfig, TrackingConfig

METHODS = ("learned", "magnitude", "random")


@dataclass(frozen=True)
class SparsifyConfig:
    """What to prune, towards which budget, and how long to fine-tune.

    Args:
        method: ``learned`` (hard-concrete gates trained toward the budget, GTSP),
            ``magnitude`` (one-shot structured magnitude pruning of heads and FFN
            channels) or ``random`` (random head/layer removal).
        baselines: further methods run at the same budget with the same epochs
            (reported beside ``method`` in ``results.json``).
        baseline_seeds: how many of the run's seeds the baselines use (the first ones).
        target_flops: FLOPs budget as a fraction of the dense model's (``0.7`` = 30 %
            fewer), measured analytically on the validation graphs.
        layers, heads, ffn_channels: structures the learned method may remove.
        token_ratio: fraction of each graph's nodes kept in every layer's attention
            (learned per-layer scorers, straight-through Gumbel top-k); 1.0 = off.
        edge_ratio: fraction of each graph's edges kept by every GINE layer; 1.0 = off.
        weight_sparsity: final unstructured sparsity of every weight matrix of the
            layers (Zhu & Gupta's cubic schedule over all fine-tuning steps); 0 = off.
        weight_regrow: pruned weights keep their straight-through gradient and come back
            when they outgrow surviving ones (gradient-based regrowth).
        prune_every: steps between weight-mask updates.
        train_fraction: fraction of the (shuffled) training batches each fine-tuning epoch
            sees (1.0 = full epochs; smaller for short CPU budgets).
        gate_epochs: epochs training the gates with the budget penalty (learned only).
        fixed_epochs: epochs fine-tuning the fixed plan. Baselines fine-tune their plan
            for ``gate_epochs + fixed_epochs``. The compact model is the best validation
            epoch's, or the last epoch's when weights are pruned (the end of the schedule).
        gate_weights: train the model's weights together with the gates in the gate epochs
            (false: the weights stay frozen and only gates and token/edge scorers learn, so
            the plan is chosen against the trained weights and the fixed-plan fine-tuning
            starts from them).
        penalty: weight of the budget penalty ``relu(r - t) + (r - t)^2`` on the expected
            FLOPs ratio ``r``.
        penalty_ramp: fraction of the gate epochs over which the budget falls linearly
            from 1 to ``target_flops`` (0 = the full budget from the first step).
        gate_scale: gate log-odds per unit of their parameter (gates move ``gate_scale``
            times faster than the weights under one learning rate).
        distill: weight in [0, 1] of distillation from the dense model in every fine-tuning
            stage, baselines included: ``(1 - distill) * task loss + distill * distance to
            the dense model's outputs`` (0 = the task loss alone).
        distill_temperature: softmax/sigmoid temperature of classification distillation.
        latency_graphs: graphs per timed batch (test split).
        latency_repeats: timed repeats of each model (median reported).
    """

    method: Literal["learned", "magnitude", "random"] = "learned"
    baselines: tuple[str, ...] = ()
    baseline_seeds: int = 1
    target_flops: float = 0.7
    layers: bool = True
    heads: bool = True
    ffn_channels: bool = True
    token_ratio: float = 1.0
    edge_ratio: float = 1.0
    weight_sparsity: float = 0.0
    weight_regrow: bool = False
    prune_every: int = 50
    train_fraction: float = 1.0
    gate_epochs: int = 2
    fixed_epochs: int = 2
    gate_weights: bool = True
    penalty: float = 5.0
    penalty_ramp: float = 0.5
    gate_scale: float = 50.0
    distill: float = 0.0
    distill_temperature: float = 1.0
    latency_graphs: int = 128
    latency_repeats: int = 30

    def __post_init__(self) -> None:
        for b in self.baselines:
            if b not in METHODS:
                raise ValueError(f"sparsify.baselines: unknown method {b!r}; valid: {', '.join(METHODS)}")
        if not 0.0 < self.target_flops <= 1.0:
            raise ValueError(f"sparsify.target_flops must be in (0, 1], got {self.target_flops}")
        if not 0.0 < self.token_ratio <= 1.0 or not 0.0 < self.edge_ratio <= 1.0:
            raise ValueError("sparsify.token_ratio and sparsify.edge_ratio must be in (0, 1]")
        if not 0.0 <= self.weight_sparsity < 1.0:
            raise ValueError("sparsify.weight_sparsity must be in [0, 1)")
        if not 0.0 <= self.penalty_ramp <= 1.0:
            raise ValueError("sparsify.penalty_ramp must be in [0, 1]")
        if not 0.0 < self.train_fraction <= 1.0:
            raise ValueError("sparsify.train_fraction must be in (0, 1]")
        if not 0.0 <= self.distill <= 1.0 or self.distill_temperature <= 0:
            raise ValueError("sparsify.distill must be in [0, 1] and sparsify.distill_temperature > 0")
        if self.baseline_seeds < 1:
            raise ValueError("sparsify.baseline_seeds must be >= 1")
        if self.gate_epochs < 0 or self.fixed_epochs < 1:
            raise ValueError("sparsify.gate_epochs must be >= 0 and sparsify.fixed_epochs >= 1")
        if min(self.prune_every, self.latency_graphs, self.latency_repeats) < 1 or self.penalty < 0:
            raise ValueError("sparsify.prune_every, latency_graphs, latency_repeats must be >= 1, penalty >= 0")


@dataclass(frozen=True)
class SparsifyRunConfig:
    """A sparsify config file: ``sparsify``, the fine-tuning ``optim`` and the seeds.

    Args:
        sparsify: :class:`SparsifyConfig`.
        optim: fine-tuning optimizer (a small learning rate, no warm-up).
        seeds: fine-tuning seeds, each a compact model (``best-seed<S>-split<K>.pt``).
        threads: torch CPU threads for fine-tuning and timing (latency uses 1 regardless).
        name: run-directory name (default ``<config file stem>``).
        tracking: W&B tracking of every fine-tuning (method, seed), as ``graphkit train``'s
            (offline by default; ``disabled`` imports nothing).
        plugins: user code imported before the config is typed (:mod:`graphkit.plugins`),
            recorded with each file's sha256 in ``sparsify.yaml``.
    """

    sparsify: SparsifyConfig = field(default_factory=SparsifyConfig)
    optim: OptimConfig = field(default_factory=lambda: OptimConfig(name="adamw", lr=1e-4, clip_grad_norm=1.0))
    seeds: tuple[int, ...] = (0,)
    threads: Optional[int] = 1
    name: Optional[str] = None
    tracking: TrackingConfig = field(default_factory=TrackingConfig)
    plugins: tuple[Union[str, PluginRef], ...] = ()

    def __post_init__(self) -> None:
        if not self.seeds:
            raise ValueError("seeds must list at least one seed")
        if self.threads is not None and self.threads < 1:
            raise ValueError(f"threads must be >= 1 (or null for torch's default), got {self.threads}")
