"""Build functions of the built-in global mixers (registered by :mod:`graphkit.catalog`)."""

from __future__ import annotations

from typing import Optional

from torch import nn

from graphkit.nn.attention.graph_self_attention import GraphSelfAttention
from graphkit.nn.attention.performer_attention import PerformerAttention
from graphkit.nn.mamba.graph_sequence_mamba import GraphSequenceMamba


def build_transformer(channels: int, heads: int = 1, dropout: float = 0.0,
                      options: Optional[dict] = None) -> nn.Module:
    """Full multi-head self-attention within each graph (GraphGPS's global branch)."""
    return GraphSelfAttention(channels, heads=heads, dropout=dropout)


def build_performer(channels: int, heads: int = 1, dropout: float = 0.0,
                    options: Optional[dict] = None) -> nn.Module:
    """Performer's linear attention (random features)."""
    return PerformerAttention(channels, heads=heads, dropout=dropout)


def build_mamba(channels: int, heads: int = 1, dropout: float = 0.0, options: Optional[dict] = None) -> nn.Module:
    """A selective state-space model over each graph's nodes in a chosen order (Graph-Mamba);
    ``options`` are :class:`GraphSequenceMamba`'s keyword arguments."""
    return GraphSequenceMamba(channels, **(options or {}))
