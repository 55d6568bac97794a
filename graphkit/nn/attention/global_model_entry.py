"""A global mixer table entry: how to build the mixer and what it reads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

from torch import nn

# build(channels, heads=, dropout=, options=) -> a channels -> channels token mixer
GlobalModelBuildFn = Callable[..., nn.Module]


@dataclass(frozen=True)
class GlobalModelEntry:
    """Args:
    build: ``build(channels, heads=1, dropout=0.0, options={}) -> nn.Module``; ``dropout``
        is the attention dropout, ``options`` the model config's mixer-specific settings
        (Mamba's state size, ordering, ...).
    inputs: what the mixer's ``forward`` reads besides ``x``, by keyword, in call order:
        ``batch`` (graph index per node), ``padded`` (a :class:`PaddedBatch`, the dense
        ``[B, N_max, C]`` layout, built once per forward when any layer asks for it),
        ``edge_index``, ``layout``.
    """

    build: GlobalModelBuildFn
    inputs: tuple[str, ...] = ("batch",)

    def __call__(self, channels: int, heads: int = 1, dropout: float = 0.0,
                 options: Optional[dict] = None) -> nn.Module:
        return self.build(channels, heads=heads, dropout=dropout, options=dict(options or {}))
