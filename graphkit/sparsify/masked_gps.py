"""A trained GPS-family model with GTSP's masks: tokens/edges, heads, layers, FFN channels."""

from __future__ import annotations

import dataclasses
from functools import partial
from typing import Any, Optional

import torch
from torch import Tensor, nn

from graphkit.nn.layers.gps_block import BlockMasks
from graphkit.sparsify.gps_flops import LayerSpec, layer_spec
from graphkit.sparsify.hard_concrete import HardConcrete
from graphkit.sparsify.token_selection import straight_through_topk

# local convs the sparsifier (FLOPs counter, compaction) covers
SPARSIFIABLE_LOCAL_CONVS = ("gine", "gatedgcn", "none")


class MaskedGPS(nn.Module):
    """Wraps a trained GPS-family model (GraphGPS with any global mixer, GMN, GSM++: its
    ``layers`` are :class:`~graphkit.nn.layers.gps_block.GPSBlock`; weights shared, not
    copied) with the masks of GTSP (`Liu et al., "Exploring Sparsity in Graph
    Transformers" <https://arxiv.org/abs/2312.05479>`_):

    - **layers**: a hard-concrete gate ``g`` per layer, ``x' = g * layer(x) + (1 - g) * x``
      (a closed layer is the identity);
    - **heads**: a hard-concrete gate per attention head, on the head's output (blocks
      whose mixer beside the local conv is full attention: GPS's transformer; GSM++'s
      attention after the branches is kept whole);
    - **FFN channels**: a hard-concrete gate per hidden channel of the FFN;
    - **tokens**: a learned per-layer scorer keeps ``token_ratio`` of each graph's nodes
      in the full attention (straight-through Gumbel top-k); dropped nodes are masked as
      keys and their attention output is zero;
    - **edges**: a learned per-layer scorer keeps ``edge_ratio`` of each graph's edges
      in the local GINE aggregation.

    The masks act on the blocks (:class:`~graphkit.nn.layers.gps_block.BlockMasks`, set
    for the duration of a forward pass), and the wrapped model runs its own forward, so
    any global mixer is sparsified without a masked copy of its layer.
    Unstructured weight masks are added by
    :class:`~graphkit.sparsify.magnitude_pruner.MagnitudePruner`. Once :meth:`fix` has
    set a 0/1 plan, the gates are replaced by that plan (and closed layers are skipped);
    :func:`~graphkit.sparsify.compaction.compact` then builds the smaller model.
    With every gate at its initial value (evaluation gates exactly 1) and no token or
    edge pruning, the output equals the wrapped model's bit for bit.

    Args:
        base: the trained model (``layers``: GPS blocks with local conv gine, gatedgcn or none).
        layer_gates, head_gates, ffn_gates: which structures carry learnable gates.
        token_ratio: fraction of each graph's nodes kept in the attention (1.0 = off).
        edge_ratio: fraction of each graph's edges kept by GINE (1.0 = off).
        gate_init: initial gate log-odds (3.0: evaluation gates exactly 1).
        gate_scale: log-odds per unit of the trained gate parameter.
    """

    def __init__(self, base: nn.Module, *, layer_gates: bool = True, head_gates: bool = True,
                 ffn_gates: bool = True, token_ratio: float = 1.0, edge_ratio: float = 1.0,
                 gate_init: float = 3.0, gate_scale: float = 1.0) -> None:
        super().__init__()
        layers = base.layers
        for layer in layers:
            if layer.local_kind not in SPARSIFIABLE_LOCAL_CONVS:
                raise ValueError(f"sparsify supports GPS-family layers with local_conv "
                                 f"{', '.join(SPARSIFIABLE_LOCAL_CONVS)}; got {layer.local_kind!r}")
        if not 0.0 < token_ratio <= 1.0 or not 0.0 < edge_ratio <= 1.0:
            raise ValueError("token_ratio and edge_ratio must be in (0, 1]")
        if edge_ratio < 1.0 and any(layer.local_kind != "gine" for layer in layers):
            raise ValueError("edge pruning (edge_ratio < 1) is implemented for local_conv gine")
        self.base = base
        self.num_layers = len(layers)
        first = layers[0]
        self.channels = first.ff1.in_features
        # head and token masks act on a full attention beside the local conv (GPS's
        # transformer); an attention after the branches (GSM++) is kept whole
        self.has_attention = first.global_model is not None and first.global_model is first.attention
        self.heads = first.global_model.heads if self.has_attention else 0
        self.head_channels = self.channels // self.heads if self.has_attention else 0
        self.ffn_width = first.ff1.out_features
        self.token_ratio, self.edge_ratio = token_ratio, edge_ratio
        n = self.num_layers
        self.layer_gate = HardConcrete(n, gate_init, gate_scale) if layer_gates else None
        self.head_gate = (HardConcrete(n * self.heads, gate_init, gate_scale)
                          if head_gates and self.has_attention else None)
        self.ffn_gate = HardConcrete(n * self.ffn_width, gate_init, gate_scale) if ffn_gates else None
        self.register_buffer("layer_keep", torch.ones(n))
        self.register_buffer("head_keep", torch.ones(n, max(self.heads, 1)))
        self.register_buffer("ffn_keep", torch.ones(n, self.ffn_width))
        self.register_buffer("fixed", torch.tensor(False))
        self.register_buffer("step", torch.tensor(0, dtype=torch.long))
        self.token_scorers = nn.ModuleList(
            nn.Linear(self.channels, 1) for _ in range(n)) if token_ratio < 1.0 and self.has_attention else None
        self.edge_scorers = nn.ModuleList(
            nn.Linear(self.channels, 1) for _ in range(n)) if edge_ratio < 1.0 else None

    # ---- gates and plans -------------------------------------------------------------
    def gates(self) -> tuple[Tensor, Tensor, Tensor]:
        """Layer ``[L]``, head ``[L, H]`` and FFN-channel ``[L, W]`` gate values."""
        if bool(self.fixed):
            return self.layer_keep, self.head_keep, self.ffn_keep
        n = self.num_layers
        layer = self.layer_gate() if self.layer_gate is not None else self.layer_keep
        head = self.head_gate().view(n, self.heads) if self.head_gate is not None else self.head_keep
        ffn = self.ffn_gate().view(n, self.ffn_width) if self.ffn_gate is not None else self.ffn_keep
        return layer, head, ffn

    def open_probabilities(self) -> dict[str, Optional[Tensor]]:
        """Each gate's probability of being open (``None`` for structures without gates)."""
        n = self.num_layers
        return {
            "layer": self.layer_gate.prob_open() if self.layer_gate is not None else None,
            "head": self.head_gate.prob_open().view(n, self.heads) if self.head_gate is not None else None,
            "ffn": self.ffn_gate.prob_open().view(n, self.ffn_width) if self.ffn_gate is not None else None,
        }

    def fix(self, layer_keep: Tensor, head_keep: Tensor, ffn_keep: Tensor) -> None:
        """Replaces the gates by a 0/1 plan (what compaction keeps)."""
        with torch.no_grad():
            self.layer_keep.copy_(layer_keep)
            self.head_keep.copy_(head_keep)
            self.ffn_keep.copy_(ffn_keep)
            self.fixed.fill_(True)

    def layer_specs(self) -> list[LayerSpec]:
        """The dense layers' specs with this model's token/edge pruning and scorers."""
        return [dataclasses.replace(
            layer_spec(layer), token_ratio=self.token_ratio if self.has_attention else 1.0,
            edge_ratio=self.edge_ratio, token_scorer=self.token_scorers is not None,
            edge_scorer=self.edge_scorers is not None) for layer in self.base.layers]

    # ---- forward ---------------------------------------------------------------------
    def _tokens(self, i: int, batch: Tensor, num_graphs: int, x: Tensor) -> Tensor:
        score = self.token_scorers[i](x).squeeze(-1)
        return straight_through_topk(score, batch, self.token_ratio, num_graphs, self.training)

    def _edges(self, i: int, edge_index: Tensor, batch: Tensor, num_graphs: int, edge_attr: Tensor) -> Tensor:
        score = self.edge_scorers[i](edge_attr).squeeze(-1)
        return straight_through_topk(score, batch.index_select(0, edge_index[0]), self.edge_ratio,
                                     num_graphs, self.training)

    def block_masks(self, data: Any) -> list[BlockMasks]:
        """Each block's masks for a forward pass on ``data`` (gates drawn once per pass)."""
        batch = getattr(data, "batch", None)
        num_graphs = getattr(data, "num_graphs", None) if batch is not None else 1
        if batch is None:
            batch = torch.zeros(data.num_nodes, dtype=torch.long, device=data.edge_index.device)
        layer_g, head_g, ffn_g = self.gates()
        fixed = bool(self.fixed)
        return [BlockMasks(
            layer=None if fixed or self.layer_gate is None else layer_g[i],
            skip=fixed and float(layer_g[i]) == 0.0,  # a closed layer is the identity
            heads=head_g[i] if self.has_attention and (self.head_gate is not None or fixed) else None,
            ffn=ffn_g[i] if self.ffn_gate is not None or fixed else None,
            tokens=partial(self._tokens, i, batch, num_graphs) if self.token_scorers is not None else None,
            edges=(partial(self._edges, i, data.edge_index, batch, num_graphs)
                   if self.edge_scorers is not None else None),
        ) for i in range(self.num_layers)]

    def forward(self, data: Any) -> Tensor:
        layers = self.base.layers
        for layer, masks in zip(layers, self.block_masks(data)):
            layer.masks = masks
        try:
            return self.base(data)
        finally:
            for layer in layers:
                layer.masks = None
