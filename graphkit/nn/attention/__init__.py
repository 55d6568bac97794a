"""Global (whole-graph) token mixers: full attention, Performer, the Mamba sequence model,
and any mixer a plugin registers (:func:`graphkit.plugins.register_global_model`).

:data:`GLOBAL_MODELS` is a plain table (name -> :class:`GlobalModelEntry`), filled by
:mod:`graphkit.catalog`; ``none`` (no global branch) is always valid.
"""

from __future__ import annotations

from typing import Optional, Protocol, runtime_checkable

from torch import nn

from graphkit.errors import UnknownNameError
from graphkit.nn.attention.global_model_entry import GlobalModelEntry
from graphkit.nn.attention.graph_self_attention import GraphSelfAttention
from graphkit.nn.attention.padded_batch import PaddedBatch
from graphkit.nn.attention.performer_attention import PerformerAttention
from graphkit.registry import Registry

GLOBAL_MODELS: Registry[GlobalModelEntry] = Registry("global_model")
NONE = "none"


@runtime_checkable
class MixerFlops(Protocol):
    """Optional hook of a global mixer: its FLOPs in evaluation, so that the sparsifier's
    FLOPs counter (:mod:`graphkit.sparsify.gps_flops`) and its budget cover a mixer it has
    no formula for (a plugin's)."""

    def flops(self, num_nodes: int, num_graphs: int, max_nodes: int) -> float:
        """Multiply-adds x 2 of one forward on a mini-batch of ``num_graphs`` graphs with
        ``num_nodes`` nodes in all, the largest with ``max_nodes``."""


def global_model_names() -> tuple[str, ...]:
    """Every valid ``global_model``: the registered mixers and ``none``."""
    return (*GLOBAL_MODELS, NONE)


def check_global_model(kind: str, where: str = "model.global_model") -> None:
    """Raises ``ValueError`` listing the valid names when ``kind`` is not one of them."""
    if kind not in global_model_names():
        raise ValueError(f"{where} must be one of {', '.join(global_model_names())}; got {kind!r}")


def global_model_inputs(kind: str) -> tuple[str, ...]:
    """What mixer ``kind`` reads besides ``x`` (``()`` for ``none``)."""
    return () if kind == NONE else GLOBAL_MODELS.get(kind).inputs


def reads_padded(kind: str) -> bool:
    """The mixer reads the dense ``[B, N_max, C]`` layout (attention)."""
    return "padded" in global_model_inputs(kind)


def global_model_resolver(kind: str, channels: int, heads: int = 1, attn_dropout: float = 0.0,
                          mamba_kwargs: Optional[dict] = None) -> Optional[nn.Module]:
    """A global branch by name; ``none`` gives ``None``.

    Args:
        kind: a registered global mixer or ``none``.
        heads: attention heads (must divide ``channels``).
        attn_dropout: dropout on attention weights.
        mamba_kwargs: the mixer's own options (keyword arguments of :class:`GraphSequenceMamba`).
    """
    if kind == NONE:
        return None
    try:
        entry = GLOBAL_MODELS.get(kind)
    except UnknownNameError:
        raise ValueError(f"unknown global_model {kind!r}; valid: {', '.join(global_model_names())}") from None
    return entry(channels, heads=heads, dropout=attn_dropout, options=mamba_kwargs)


__all__ = ["GLOBAL_MODELS", "GlobalModelEntry", "GraphSelfAttention", "MixerFlops", "NONE", "PaddedBatch",
           "PerformerAttention", "check_global_model", "global_model_inputs", "global_model_names",
           "global_model_resolver", "reads_padded"]
