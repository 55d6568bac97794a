"""Global (whole-graph) token mixers: full attention, Performer, and the Mamba sequence model."""

from __future__ import annotations

from typing import Optional

from torch import nn

from graphkit.nn.attention.graph_self_attention import GraphSelfAttention
from graphkit.nn.attention.padded_batch import PaddedBatch
from graphkit.nn.attention.performer_attention import PerformerAttention
from graphkit.nn.mamba.graph_sequence_mamba import GraphSequenceMamba

GLOBAL_MODELS = ("transformer", "performer", "mamba", "none")
# what each global model reads besides ``x``, by keyword (a GPS-family block passes these)
GLOBAL_MODEL_INPUTS = {
    "transformer": ("batch", "padded"),
    "performer": ("batch", "padded"),
    "mamba": ("edge_index", "batch"),
}
# global models that read the padded [B, N_max, C] layout
PADDED_GLOBAL_MODELS = tuple(kind for kind, inputs in GLOBAL_MODEL_INPUTS.items() if "padded" in inputs)


def global_model_resolver(kind: str, channels: int, heads: int = 1, attn_dropout: float = 0.0,
                          mamba_kwargs: Optional[dict] = None) -> Optional[nn.Module]:
    """A global branch by name; ``none`` gives ``None``.

    Args:
        kind: one of :data:`GLOBAL_MODELS`.
        heads: attention heads (must divide ``channels``).
        attn_dropout: dropout on attention weights.
        mamba_kwargs: keyword arguments of :class:`GraphSequenceMamba`.
    """
    if kind == "transformer":
        return GraphSelfAttention(channels, heads=heads, dropout=attn_dropout)
    if kind == "performer":
        return PerformerAttention(channels, heads=heads, dropout=attn_dropout)
    if kind == "mamba":
        return GraphSequenceMamba(channels, **(mamba_kwargs or {}))
    if kind == "none":
        return None
    raise ValueError(f"unknown global_model {kind!r}; valid: {', '.join(GLOBAL_MODELS)}")


__all__ = ["GLOBAL_MODEL_INPUTS", "GLOBAL_MODELS", "PADDED_GLOBAL_MODELS", "GraphSelfAttention", "PaddedBatch",
           "PerformerAttention", "global_model_resolver"]
