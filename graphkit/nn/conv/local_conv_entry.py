"""A local conv table entry: how to build the conv and what it reads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

from torch import Tensor, nn

# build(channels, heads=, dropout=, deg=) -> a channels -> channels conv
LocalConvBuildFn = Callable[..., nn.Module]


@dataclass(frozen=True)
class LocalConvEntry:
    """Args:
    build: ``build(channels, heads=1, dropout=0.0, deg=None) -> nn.Module``.
    inputs: what the conv reads besides ``x``, by keyword, in its call order
        (``edge_index``, ``edge_attr``): a GPS-family block passes exactly these.
    updates_edges: returns ``(x', edge_attr')`` and applies its own residual and dropout
        (GatedGCN).
    needs_degrees: built from the training graphs' in-degree histogram (``deg``; PNA).
    """

    build: LocalConvBuildFn
    inputs: tuple[str, ...] = ("edge_index",)
    updates_edges: bool = False
    needs_degrees: bool = False

    @property
    def reads_edge_features(self) -> bool:
        return "edge_attr" in self.inputs

    def __call__(self, channels: int, heads: int = 1, dropout: float = 0.0,
                 deg: Optional[Tensor] = None) -> nn.Module:
        return self.build(channels, heads=heads, dropout=dropout, deg=deg)
