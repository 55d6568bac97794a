"""Analytic FLOPs of GPS-family models (GraphGPS with any global mixer, GMN, GSM++), per
layer and per component, read from their :class:`~graphkit.nn.layers.gps_block.GPSBlock`.

Counts what the CPU actually computes for a given mini-batch in evaluation: 2 FLOPs per
multiply-add of every dense product (linear layers, attention's two batched products on the
padded ``[B, L, L]`` layout, Performer's feature maps, Mamba's projections) and of the sparse
neighbour aggregation (``local_messages``) and Mamba's causal convolution and selective scan
(``mixer_sequential``, fused kernels: 2 FLOPs per tap and 6 per state element).
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

from graphkit.models.gsm import GSM
from graphkit.nn.attention import GraphSelfAttention, MixerFlops, PerformerAttention
from graphkit.nn.layers.gps_block import GPSBlock
from graphkit.nn.mamba import BiMamba, GraphSequenceMamba, NeighborhoodMamba, TokenizationMixture
from graphkit.sparsify.compact_gps_layer import BiasMixer, EdgePrunedConv
from graphkit.sparsify.pruned_self_attention import PrunedSelfAttention
from graphkit.sparsify.token_selection import keep_counts

Number = Union[float, Tensor]
COMPONENTS = ("encoders", "local", "local_messages", "attention", "mixer", "mixer_sequential", "ffn",
              "scorers", "head")
# components that FlopCounterMode does not see (sparse aggregation, fused sequential kernels)
UNSEEN = ("local_messages", "mixer_sequential")


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
        mixers: the block's other mixers (kept whole; counted by :func:`mixer_flops`).
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
    mixers: tuple[nn.Module, ...] = ()


def layer_flops(spec: LayerSpec, channels: int, sizes: GraphSizes) -> dict[str, Number]:
    """FLOPs of one layer on a mini-batch of ``sizes``, per component."""
    c, n, e = channels, sizes.num_nodes, sizes.num_edges
    kept_edges = int(keep_counts(sizes.edges, spec.edge_ratio).sum()) if spec.edge_ratio < 1 else e
    out: dict[str, Number] = {k: 0.0 for k in ("local", "local_messages", "attention", "mixer",
                                                "mixer_sequential", "ffn", "scorers")}
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
    out["attention"] = _attention_flops(c, spec.heads * spec.head_channels, n_tok, length, sizes.num_graphs)
    for mixer in spec.mixers:
        dense, sequential = mixer_flops(mixer, c, sizes)
        out["mixer"] += dense
        out["mixer_sequential"] += sequential
    out["ffn"] = 4.0 * n * c * spec.ffn_channels
    out["scorers"] = 2.0 * n * c * spec.token_scorer + 2.0 * e * c * spec.edge_scorer
    return out


def _attention_flops(channels: int, width: Number, tokens: int, length: int, graphs: int) -> Number:
    # projections of the attending tokens and the two [B, L, L] products, ``width`` = heads * d
    return (2.0 * tokens * channels * 3 * width + 2.0 * tokens * width * channels
            + 4.0 * graphs * length * length * width)


def _mamba_flops(block: nn.Module, tokens: int, directions: int) -> tuple[float, float]:
    # a MambaBlock (or each direction of a BiMamba) over ``tokens`` tokens: its four
    # projections (dense), and its causal convolution and scan (fused kernels)
    c, i, n, r = block.in_proj.in_features, block.inner, block.state_channels, block.dt_rank
    k = block.conv.kernel_size[0]
    dense = 2.0 * tokens * (c * 2 * i + i * (r + 2 * n) + r * i + i * c)
    return directions * dense, directions * tokens * (2.0 * k * i + 6.0 * i * n)


def _sequence_flops(mamba: nn.Module, tokens: int) -> tuple[float, float]:
    if isinstance(mamba, BiMamba):
        return _mamba_flops(mamba.forward_block, tokens, 2)
    return _mamba_flops(mamba, tokens, 1)


def mixer_flops(mixer: nn.Module, channels: int, sizes: GraphSizes) -> tuple[float, float]:
    """``(dense, sequential)`` FLOPs of a global mixer kept whole, in evaluation: the dense
    products (what ``FlopCounterMode`` sees) and Mamba's fused convolution and scan."""
    n, b = sizes.num_nodes, sizes.num_graphs
    length = int(sizes.nodes.max()) if sizes.nodes.numel() else 0
    if isinstance(mixer, GraphSelfAttention):
        return float(_attention_flops(channels, channels, n, length, b)), 0.0
    if isinstance(mixer, PerformerAttention):
        h, d, m = mixer.heads, mixer.head_dim, mixer.num_features
        features = 2 * 2.0 * n * h * d * m  # q and k through the random features
        products = 2 * 2.0 * b * h * length * m * d  # phi(k)^T v, then phi(q) (kv)
        return 2.0 * n * channels * 3 * channels + features + products + 2.0 * n * channels * channels, 0.0
    if isinstance(mixer, GraphSequenceMamba):
        dense, sequential = _sequence_flops(mixer.mamba, n)
        return mixer.eval_orderings * dense, mixer.eval_orderings * sequential
    if isinstance(mixer, NeighborhoodMamba):
        steps = mixer.tokenizer.walk_length * mixer.tokenizer.num_samples + 1  # tokens per node
        dense, sequential = _sequence_flops(mixer.token_mamba, n * steps)
        return dense + _linear_flops(mixer.token_encoder, n), sequential
    if isinstance(mixer, TokenizationMixture):
        k = mixer.num_tokenizations
        dense, sequential = _sequence_flops(mixer.mamba, k * n)
        if mixer.router is not None:
            dense += _linear_flops(mixer.router, n) + 2.0 * n * k * channels  # router, then the mix
        return dense, sequential
    if isinstance(mixer, BiasMixer):
        return 0.0, 0.0
    if isinstance(mixer, MixerFlops):  # a plugin's mixer counts itself
        return float(mixer.flops(n, b, length)), 0.0
    raise ValueError(f"the FLOPs counter has no entry for global mixer {type(mixer).__name__}; a mixer "
                     f"registered by a plugin offers graphkit.nn.attention.MixerFlops")


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
        """The part that ``FlopCounterMode`` sees (all but sparse aggregation and fused scans)."""
        return self.total - sum(self.components[k] for k in UNSEEN)

    def add(self, other: "FlopsReport") -> "FlopsReport":
        for k, v in other.components.items():
            self.components[k] += v
        if not self.layers:
            self.layers = [0.0] * len(other.layers)
        self.layers = [a + b for a, b in zip(self.layers, other.layers)]
        return self

    def to_dict(self) -> dict[str, Any]:
        return {"total": self.total, "components": dict(self.components), "layers": list(self.layers)}


def _scaffold(model: nn.Module) -> tuple[nn.Module, int]:
    # the module holding encoders and head, and the passes through the layers per forward
    if isinstance(model, GSM):
        return model.scaffold, model.eval_passes
    return model, 1


def eval_passes(model: nn.Module) -> int:
    """Passes through the layers (and head) per evaluation forward: GSM++'s ordering draws, else 1."""
    return _scaffold(model)[1]


def model_flops(model: nn.Module, specs: list[LayerSpec], channels: int, sizes: GraphSizes) -> FlopsReport:
    """FLOPs of a GPS-family model (its encoders and head read from ``model``, its layers
    described by ``specs``) on one batch in evaluation; GSM++'s layers and head run once
    per node-ordering draw."""
    model, passes = _scaffold(model)
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
            report.components[k] += passes * float(v)
        report.layers.append(passes * float(sum(per.values())))
    report.components["head"] = passes * _linear_flops(model.head, b if model.level == "graph" else n)
    return report


def count_flops(model: nn.Module, batches: Any) -> FlopsReport:
    """Analytic FLOPs of a dense or compact GPS-family model on one batch or an iterable of them.

    Args:
        model: a :class:`GraphGPS` (GPS, GMN or compact GPS blocks) or a :class:`GSM`.
        batches: a PyG ``Batch``/``Data`` or an iterable of them.
    """
    if isinstance(batches, Data):
        batches = [batches]
    specs = [layer_spec(layer) for layer in model.layers]
    channels = _scaffold(model)[0].head[0].in_features
    total = FlopsReport()
    for data in batches:
        total.add(model_flops(model, specs, channels, GraphSizes.of(data)))
    return total


def layer_spec(block: GPSBlock) -> LayerSpec:
    """The :class:`LayerSpec` of a GPS-family block (dense, or compacted by the sparsifier)."""
    local, edge_ratio = block.local, 1.0
    if isinstance(local, EdgePrunedConv):
        local, edge_ratio = local.conv, local.edge_ratio
    mlp = ()
    if block.local_kind == "gine":
        mlp = tuple((m.in_features, m.out_features) for m in local.nn.modules() if isinstance(m, nn.Linear))
    mixer, mixers = block.global_model, ()
    heads, head_channels, token_ratio, token_scorer = 0, 0, 1.0, False
    if isinstance(mixer, GraphSelfAttention):
        heads, head_channels = mixer.heads, mixer.channels // mixer.heads
    elif isinstance(mixer, PrunedSelfAttention):
        heads, head_channels, token_ratio = mixer.heads, mixer.head_channels, mixer.token_ratio
        token_scorer = mixer.scorer is not None
    elif mixer is not None:
        mixers = (mixer,)
    if block.post_model is not None:
        mixers = (*mixers, block.post_model)
    return LayerSpec(local=block.local_kind, local_mlp=mlp, heads=heads, head_channels=head_channels,
                     ffn_channels=block.ff1.out_features, token_ratio=token_ratio, edge_ratio=edge_ratio,
                     token_scorer=token_scorer, edge_scorer=edge_ratio < 1.0, mixers=mixers)
