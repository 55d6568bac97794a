"""A trained GraphGPS with GTSP's four kinds of masks: tokens/edges, heads, layers, FFN channels."""

from __future__ import annotations

import dataclasses
from typing import Optional

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch_geometric.data import Data

from graphkit.nn.attention.padded_batch import PaddedBatch
from graphkit.nn.conv import EDGE_CONVS
from graphkit.nn.fast_dropout import fast_dropout
from graphkit.sparsify.gps_flops import LayerSpec, layer_spec
from graphkit.sparsify.hard_concrete import HardConcrete
from graphkit.sparsify.token_selection import straight_through_topk


class MaskedGPS(nn.Module):
    """Wraps a trained :class:`~graphkit.models.graph_gps.GraphGPS` (weights shared, not
    copied) with the masks of GTSP (`Liu et al., "Exploring Sparsity in Graph
    Transformers" <https://arxiv.org/abs/2312.05479>`_):

    - **layers**: a hard-concrete gate ``g`` per layer, ``x' = g * layer(x) + (1 - g) * x``
      (a closed layer is the identity);
    - **heads**: a hard-concrete gate per attention head, on the head's output;
    - **FFN channels**: a hard-concrete gate per hidden channel of the FFN;
    - **tokens**: a learned per-layer scorer keeps ``token_ratio`` of each graph's nodes
      in the attention (straight-through Gumbel top-k); dropped nodes are masked as keys
      and their attention output is zero;
    - **edges**: a learned per-layer scorer keeps ``edge_ratio`` of each graph's edges
      in the local GINE aggregation.

    Unstructured weight masks are added by
    :class:`~graphkit.sparsify.magnitude_pruner.MagnitudePruner`. Once :meth:`fix` has
    set a 0/1 plan, the gates are replaced by that plan (and closed layers are skipped);
    :func:`~graphkit.sparsify.compaction.compact` then builds the smaller model.
    With every gate at its initial value (evaluation gates exactly 1) and no token or
    edge pruning, the output equals the wrapped model's bit for bit.

    Args:
        base: the trained model (``GPSLayer`` layers, ``global_model`` transformer or none).
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
            if layer.global_kind not in ("transformer", "none") or layer.local_kind not in ("gine", "gatedgcn", "none"):
                raise ValueError("sparsify supports GPS layers with global_model transformer or none and "
                                 f"local_conv gine, gatedgcn or none; got {layer.global_kind}/{layer.local_kind}")
        if not 0.0 < token_ratio <= 1.0 or not 0.0 < edge_ratio <= 1.0:
            raise ValueError("token_ratio and edge_ratio must be in (0, 1]")
        if edge_ratio < 1.0 and any(layer.local_kind != "gine" for layer in layers):
            raise ValueError("edge pruning (edge_ratio < 1) is implemented for local_conv gine")
        self.base = base
        self.num_layers = len(layers)
        first = layers[0]
        self.channels = first.ff1.in_features
        self.has_attention = first.global_model is not None
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
    def _attention(self, attn: nn.Module, x: Tensor, padded: PaddedBatch, head: Tensor,
                   tokens: Optional[Tensor]) -> Tensor:
        # GraphSelfAttention.forward with head gates and token masks, in its heads-major
        # padded layout (so that open gates give bit-identical outputs)
        b, length, heads, d = padded.num_graphs, padded.max_nodes, attn.heads, self.head_channels
        qkv = attn.in_proj(x)
        dense = padded.pad_parts(qkv, 3 * heads).view(3, heads * b, length, d)
        q, k, v = dense.unbind(0)  # [H * B, L, d] each
        bias = padded.key_bias(heads, q.dtype)  # [H * B, 1, L]
        if tokens is not None:
            dropped = padded.pad_parts(tokens.detach().unsqueeze(-1), 1).view(1, b, length) <= 0
            bias = bias.masked_fill(dropped.expand(heads, b, length).reshape(heads * b, 1, length),
                                    float("-inf"))
        if self.training and attn.dropout > 0.0:
            scores = torch.baddbmm(bias, q, k.transpose(1, 2), alpha=d ** -0.5)
            out = torch.bmm(fast_dropout(torch.softmax(scores, dim=-1), attn.dropout, True), v)
        else:
            shape = (heads, b, length, d)  # 4-D, as GraphSelfAttention gives SDPA (its fused kernel)
            out = F.scaled_dot_product_attention(q.view(shape), k.view(shape), v.view(shape),
                                                 attn_mask=bias.view(heads, b, 1, length)).view(heads * b, length, d)
        out = padded.unpad_parts(out, heads)  # [N, C], heads concatenated
        if self.head_gate is not None or bool(self.fixed):
            out = (out.view(-1, heads, d) * head.view(1, -1, 1)).view(out.shape)
        if tokens is not None:
            out = out * tokens.unsqueeze(-1)
        return attn.out_proj(out)

    def _gine(self, conv: nn.Module, x: Tensor, edge_index: Tensor, edge_attr: Tensor, edges: Tensor) -> Tensor:
        # GINEConv.forward with each message weighted by its edge's keep mask
        messages = (x.index_select(0, edge_index[0]) + edge_attr).relu_() * edges.unsqueeze(-1)
        summed = x.new_zeros(x.shape).index_add_(0, edge_index[1], messages)
        return conv.nn(summed + (1 + conv.eps) * x)

    def _layer(self, i: int, x: Tensor, edge_index: Tensor, edge_attr: Optional[Tensor],
               batch: Tensor, padded: Optional[PaddedBatch], num_graphs: int, head: Tensor,
               ffn: Tensor) -> tuple[Tensor, Optional[Tensor]]:
        layer = self.base.layers[i]
        drop = layer.dropout
        h = None
        if layer.local is not None:
            if layer.local_kind == "gatedgcn":
                h_local, edge_attr = layer.local(x, edge_index, edge_attr)
            else:
                if self.edge_scorers is not None:
                    score = self.edge_scorers[i](edge_attr).squeeze(-1)
                    edges = straight_through_topk(score, batch.index_select(0, edge_index[0]),
                                                  self.edge_ratio, num_graphs, self.training)
                    h_local = self._gine(layer.local, x, edge_index, edge_attr, edges)
                elif layer.local_kind in EDGE_CONVS:
                    h_local = layer.local(x, edge_index, edge_attr)
                else:
                    h_local = layer.local(x, edge_index)
                h_local = x + fast_dropout(h_local, drop, self.training)
            h = layer.norm_local(h_local)
        if layer.global_model is not None:
            if padded is None:
                padded = PaddedBatch.from_batch(batch, x.size(0), num_graphs)
            tokens = None
            if self.token_scorers is not None:
                score = self.token_scorers[i](x).squeeze(-1)
                tokens = straight_through_topk(score, batch, self.token_ratio, num_graphs, self.training)
            h_global = self._attention(layer.global_model, x, padded, head, tokens)
            h_global = layer.norm_global(x + fast_dropout(h_global, drop, self.training))
            h = h_global if h is None else h + h_global
        ff = F.relu(layer.ff1(h))
        if self.ffn_gate is not None or bool(self.fixed):
            ff = ff * ffn
        ff = fast_dropout(ff, drop, self.training)
        h = layer.norm_ff(h + fast_dropout(layer.ff2(ff), drop, self.training))
        return h, edge_attr

    def forward(self, data: Data) -> Tensor:
        base = self.base
        x, edge_attr = base.encode(data)
        batch = getattr(data, "batch", None)
        num_graphs = getattr(data, "num_graphs", None) if batch is not None else 1
        if batch is None:
            batch = torch.zeros(x.size(0), dtype=torch.long, device=x.device)
        padded = PaddedBatch.from_batch(batch, x.size(0), num_graphs) if base.needs_padding else None
        layer_g, head_g, ffn_g = self.gates()
        fixed = bool(self.fixed)
        for i in range(self.num_layers):
            if fixed and float(layer_g[i]) == 0.0:
                continue  # a closed layer is the identity
            y, e = self._layer(i, x, data.edge_index, edge_attr, batch, padded, num_graphs, head_g[i], ffn_g[i])
            if fixed or self.layer_gate is None:
                x, edge_attr = y, e
            else:
                g = layer_g[i]
                x = g * y + (1 - g) * x
                if e is not None and edge_attr is not None:
                    edge_attr = g * e + (1 - g) * edge_attr
        if base.level == "node":
            return base.head(x)
        return base.head(base.pool(x, batch, num_graphs))
