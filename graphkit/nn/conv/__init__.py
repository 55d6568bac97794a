"""Local message-passing convolutions (the local branch of GPS-family blocks).

:data:`LOCAL_CONVS` is a plain table (name -> :class:`LocalConvEntry`: how to build the
conv and what it reads), filled by :mod:`graphkit.catalog` with the built-ins (``gine``,
``gatedgcn``, ``gat``, ``gcn``, ``pna``) and by plugins
(:func:`graphkit.plugins.register_local_conv`). ``none`` (no local branch) is always valid.
It is the one list of local convs and the one answer to which read edge features.
"""

from __future__ import annotations

from typing import Optional

from torch import Tensor, nn

from graphkit.errors import UnknownNameError
from graphkit.nn.conv.gated_gcn_conv import GatedGCNConv
from graphkit.nn.conv.gine_conv import GINEConv
from graphkit.nn.conv.local_conv_entry import LocalConvEntry
from graphkit.registry import Registry

LOCAL_CONVS: Registry[LocalConvEntry] = Registry("local_conv")
NONE = "none"


def local_conv_names(degrees: bool = True) -> tuple[str, ...]:
    """Every valid ``local_conv``: the registered ones (without those built from a degree
    histogram when ``degrees`` is false) and ``none``."""
    return (*(k for k in LOCAL_CONVS if degrees or not LOCAL_CONVS.get(k).needs_degrees), NONE)


def check_local_conv(kind: str, degrees: bool = True, where: str = "model.local_conv") -> None:
    """Raises ``ValueError`` listing the valid names when ``kind`` is not one of them."""
    if kind not in local_conv_names(degrees):
        raise ValueError(f"{where} must be one of {', '.join(local_conv_names(degrees))}; got {kind!r}")


def _entry(kind: str) -> Optional[LocalConvEntry]:
    return None if kind == NONE else LOCAL_CONVS.get(kind)


def local_conv_inputs(kind: str) -> tuple[str, ...]:
    """What conv ``kind`` reads besides ``x`` (``()`` for ``none``)."""
    entry = _entry(kind)
    return () if entry is None else entry.inputs


def reads_edge_features(kind: str) -> bool:
    entry = _entry(kind)
    return entry is not None and entry.reads_edge_features


def updates_edges(kind: str) -> bool:
    entry = _entry(kind)
    return entry is not None and entry.updates_edges


def local_conv_resolver(kind: str, channels: int, heads: int = 1, dropout: float = 0.0,
                        deg: Optional[Tensor] = None) -> Optional[nn.Module]:
    """A ``channels -> channels`` convolution by name; ``none`` gives ``None``.

    Args:
        kind: a registered local conv or ``none``.
        heads: GAT heads (must divide ``channels``).
        dropout: GatedGCN's internal dropout.
        deg: in-degree histogram, required by ``pna``.
    """
    try:
        entry = _entry(kind)
    except UnknownNameError:
        raise ValueError(f"unknown local_conv {kind!r}; valid: {', '.join(local_conv_names())}") from None
    return None if entry is None else entry(channels, heads=heads, dropout=dropout, deg=deg)


__all__ = ["GINEConv", "GatedGCNConv", "LOCAL_CONVS", "LocalConvEntry", "NONE", "check_local_conv",
           "local_conv_inputs", "local_conv_names", "local_conv_resolver", "reads_edge_features", "updates_edges"]
