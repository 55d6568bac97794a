"""Analytic FLOPs of GraphGPS-style models, per layer and per component.

Counts what the CPU actually computes for a given mini-batch: 2 FLOPs per multiply-add
of every dense product (linear layers, attention's two batched products on the padded
``[B, L, L]`` layout) and of the sparse neighbour aggregation (``local_messages``).
Elementwise work (norms, activations, softmax) is not counted, as in
``torch.utils.flop_counter.FlopCounterMode``; the dense part matches it exactly
(``tests/sparsify/test_gps_flops.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional, Union

import torch
from torch import Tensor, nn
from torch_geometric.data import Data

from graphkit.sparsify.token_selection import keep_counts

Number = Union[float, Tensor]
COMPONENTS = ("encoders", "local", "local_messages", "attention", "ffn", "scorers", "head")


@dataclass(frozen=True)
class GraphSizes:
    """Node and edge counts of each graph of a mini-batch (all the counter needs).

    Shapes:
        ``nodes [B]``, ``edges [B]``
    """

    nodes: Tensor
    edges: Tensor

    @staticmethod
    def of(data: Data) -> "GraphSizes":
        batch = getattr(data, "batch", None)
        n = data.num_nodes
        if batch is None:
            batch = torch.zeros(n, dtype=torch.long)
        num_graphs = int(batch.max()) + 1 if n > 0 else 0
        nodes = torch.bincount(batch.cpu(), minlength=num_graphs)
        edges = torch.bincount(batch.cpu()[data.edge_index[0].cpu()], minlength=num_graphs)
        return GraphSizes(nodes, edges)

    @property
    def num_graphs(self) -> int:
        return int(self.nodes.numel())

    @property
    def num_nodes(self) -> int:
        return int(self.nodes.sum())

    @property
    def num_edges(self) -> int:
        return int(self.edges.sum())


@dataclass(frozen=True)
class LayerSpec:
    """The cost-relevant shape of one GPS layer.

    Args:
        local: ``gine``, ``gatedgcn`` or ``none``.
        local_mlp: ``(in, out)`` widths of the local MLP's linear layers (GINE).
        heads: attention heads kept (a float or tensor for expected costs).
        head_channels: width of one head.
        ffn_channels: FFN hidden width kept (float or tensor).
        token_ratio: fraction of each graph's nodes that enter the attention.
        edge_ratio: fraction of each graph's edges the local branch aggregates.
        token_scorer, edge_scorer: whether a learned ``C -> 1`` scorer runs.
    """

    local: str
    local_mlp: tuple[tuple[int, int], ...]
    heads: Number
    head_channels: int
    ffn_channels: Number
    token_ratio: float = 1.0
    edge_ratio: float = 1.0
    token_scorer: bool = False
    edge_scorer: bool = False


def layer_flops(spec: LayerSpec, channels: int, sizes: GraphSizes) -> dict[str, Number]:
    """FLOPs of one layer on a mini-batch of ``sizes``, per component."""
    c, n, e = channels, sizes.num_nodes, sizes.num_edges
    kept_edges = int(keep_counts(sizes.edges, spec.edge_ratio).sum()) if spec.edge_ratio < 1 else e
    out: dict[str, Number] = {k: 0.0 for k in ("local", "local_messages", "attention", "ffn", "scorers")}
    if spec.local == "gine":
        out["local"] = sum(2.0 * n * i * o for i, o in spec.local_mlp)
        out["local_messages"] = 2.0 * kept_edges * c
    elif spec.local == "gatedgcn":
        out["local"] = 2.0 * n * c * 4 * c + 2.0 * e * c * c
        out["local_messages"] = 2.0 * e * 2 * c
    elif spec.local != "none":
        raise ValueError(f"the FLOPs counter covers local_conv gine, gatedgcn and none, not {spec.local!r}")
    if spec.token_ratio < 1:
        tokens = keep_counts(sizes.nodes, spec.token_ratio)
    else:
        tokens = sizes.nodes
    n_tok, length = int(tokens.sum()), int(tokens.max()) if tokens.numel() else 0
    hd = spec.heads * spec.head_channels
    out["attention"] = (2.0 * n_tok * c * 3 * hd + 2.0 * n_tok * hd * c
                        + 4.0 * sizes.num_graphs * length * length * hd)
    out["ffn"] = 4.0 * n * c * spec.ffn_channels
    out["scorers"] = 2.0 * n * c * spec.token_scorer + 2.0 * e * c * spec.edge_scorer
    return out


def _linear_flops(module: Optional[nn.Module], rows: int) -> float:
    if module is None:
        return 0.0
    return sum(2.0 * rows * m.in_features * m.out_features
               for m in module.modules() if isinstance(m, nn.Linear))


@dataclass
class FlopsReport:
    """FLOPs of a model on a set of mini-batches: per component and per layer."""

    components: dict[str, float] = field(default_factory=lambda: {k: 0.0 for k in COMPONENTS})
    layers: list[float] = field(default_factory=list)

    @property
    def total(self) -> float:
        return float(sum(self.components.values()))

    @property
    def dense_products(self) -> float:
        """The part that ``FlopCounterMode`` sees (everything but sparse aggregation)."""
        return self.total - self.components["local_messages"]

    def add(self, other: "FlopsReport") -> "FlopsReport":
        for k, v in other.components.items():
            self.components[k] += v
        if not self.layers:
            self.layers = [0.0] * len(other.layers)
        self.layers = [a + b for a, b in zip(self.layers, other.layers)]
        return self

    def to_dict(self) -> dict[str, Any]:
        return {"total": self.total, "components": dict(self.components), "layers": list(self.layers)}


def model_flops(model: nn.Module, specs: list[LayerSpec], channels: int, sizes: GraphSizes) -> FlopsReport:
    """FLOPs of a :class:`~graphkit.models.graph_gps.GraphGPS`-shaped model (its encoders
    and head read from ``model``, its layers described by ``specs``) on one batch."""
    if getattr(model, "lap_encoder", None) is not None:
        raise ValueError("the FLOPs counter does not cover LapPE encoders (use RWSE)")
    n, e, b = sizes.num_nodes, sizes.num_edges, sizes.num_graphs
    report = FlopsReport()
    report.components["encoders"] = (
        _linear_flops(model.node_encoder, n) + _linear_flops(model.rwse_encoder, n)
        + _linear_flops(model.edge_encoder, e))
    for spec in specs:
        per = layer_flops(spec, channels, sizes)
        for k, v in per.items():
            report.components[k] += float(v)
        report.layers.append(float(sum(per.values())))
    report.components["head"] = _linear_flops(model.head, b if model.level == "graph" else n)
    return report


def count_flops(model: nn.Module, batches: Any) -> FlopsReport:
    """Analytic FLOPs of a dense or compact GraphGPS on one batch or an iterable of them.

    Args:
        model: a :class:`GraphGPS` whose layers are ``GPSLayer`` or ``CompactGPSLayer``.
        batches: a PyG ``Batch``/``Data`` or an iterable of them.
    """
    if isinstance(batches, Data):
        batches = [batches]
    specs = [layer_spec(layer) for layer in model.layers]
    channels = model.head[0].in_features
    total = FlopsReport()
    for data in batches:
        total.add(model_flops(model, specs, channels, GraphSizes.of(data)))
    return total


def layer_spec(layer: nn.Module) -> LayerSpec:
    """The :class:`LayerSpec` of a ``GPSLayer`` or a ``CompactGPSLayer``."""
    if hasattr(layer, "spec"):
        return layer.spec()
    if layer.global_kind not in ("transformer", "none"):
        raise ValueError(f"the FLOPs counter covers global_model transformer and none, not {layer.global_kind!r}")
    attn = layer.global_model
    heads = attn.heads if attn is not None else 0
    head_channels = attn.channels // attn.heads if attn is not None else 0
    mlp = ()
    if layer.local_kind == "gine":
        mlp = tuple((m.in_features, m.out_features) for m in layer.local.nn.modules() if isinstance(m, nn.Linear))
    return LayerSpec(local=layer.local_kind, local_mlp=mlp, heads=heads, head_channels=head_channels,
                     ffn_channels=layer.ff1.out_features)
