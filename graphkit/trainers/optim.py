"""Optimizer and learning-rate schedule from the typed optim config."""

from __future__ import annotations

import math
from typing import Optional

import torch
from torch import nn

from graphkit.config.run_config import OptimConfig
from graphkit.models.model_hooks import ParamGroups

_FUSED_DEVICES = ("cpu", "cuda")


def build_optimizer(model: nn.Module, cfg: OptimConfig) -> torch.optim.Optimizer:
    """Adam or AdamW. A model offering :class:`~graphkit.models.model_hooks.ParamGroups`
    (e.g. separate encoder and predictor learning rates) supplies its own parameter groups.

    The fused kernel is used when every parameter is a floating-point CPU or CUDA
    tensor: on CPU torch otherwise defaults to its per-parameter Python loop, which
    costs ~10 % of a GraphGPS ZINC step (``benchmarks/gps_profile.py``); same update."""
    groups = model.param_groups(cfg.lr) if isinstance(model, ParamGroups) else model.parameters()
    groups = list(groups)
    params = [p for g in groups for p in (g["params"] if isinstance(g, dict) else [g])]
    fused = bool(params) and all(p.is_floating_point() and p.device.type in _FUSED_DEVICES
                                 for p in params)
    cls = torch.optim.AdamW if cfg.name == "adamw" else torch.optim.Adam
    return cls(groups, lr=cfg.lr, weight_decay=cfg.weight_decay, fused=fused or None)


def build_scheduler(
    optimizer: torch.optim.Optimizer, cfg: OptimConfig, epochs: int, higher_is_better: bool
) -> Optional[object]:
    """Per-epoch schedule: cosine with linear warm-up (GraphGPS's), reduce-on-plateau on
    the validation metric, step decay (GIN's: halve every 50 epochs), or none."""
    if cfg.scheduler == "none":
        return None
    if cfg.scheduler == "step":
        return torch.optim.lr_scheduler.StepLR(optimizer, step_size=cfg.step_size, gamma=cfg.gamma)
    if cfg.scheduler == "plateau":
        return torch.optim.lr_scheduler.ReduceLROnPlateau(
            optimizer, mode="max" if higher_is_better else "min", factor=cfg.plateau_factor,
            patience=cfg.plateau_patience, min_lr=cfg.min_lr,
        )
    warmup, base = cfg.warmup_epochs, cfg.lr

    def factor(epoch: int) -> float:
        if epoch < warmup:
            return (epoch + 1) / (warmup + 1)
        progress = (epoch - warmup) / max(1, epochs - warmup)
        cosine = 0.5 * (1.0 + math.cos(math.pi * min(1.0, progress)))
        return (cfg.min_lr + (base - cfg.min_lr) * cosine) / base

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)
