"""Normalization layers by short name, shared by every layer kind that takes ``norm``."""

from __future__ import annotations

from torch import nn

NORMS = ("batch", "layer", "none")


def norm_resolver(norm: str, channels: int) -> nn.Module:
    """``batch`` -> ``BatchNorm1d``, ``layer`` -> ``LayerNorm``, ``none`` -> identity."""
    if norm == "batch":
        return nn.BatchNorm1d(channels)
    if norm == "layer":
        return nn.LayerNorm(channels)
    if norm == "none":
        return nn.Identity()
    raise ValueError(f"unknown norm {norm!r}; valid: {', '.join(NORMS)}")
