"""GraphGPS (and Graph-Mamba's GPS variant) as a graphkit model.

- GraphGPS: Rampášek et al., "Recipe for a General, Powerful, Scalable Graph Transformer",
  https://arxiv.org/abs/2205.12454
- Graph-Mamba: Wang et al., https://arxiv.org/abs/2402.00789 (``global_model: mamba``)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Optional

import torch
from torch import Tensor, nn
from torch_geometric.data import Data
from torch_geometric.nn import global_add_pool, global_max_pool, global_mean_pool

from graphkit.models.model_inputs import ModelInputs
from graphkit.models.pe_model_config import PEModelConfig
from graphkit.nn.attention import PaddedBatch, check_global_model
from graphkit.nn.conv import check_local_conv
from graphkit.nn.encoding import FeatureEncoder, RWSEEncoder, lap_encoder_resolver
from graphkit.nn.layers import GPSLayer

_POOLS = {"add": global_add_pool, "mean": global_mean_pool, "max": global_max_pool}


@dataclass(frozen=True)
class GraphGPSConfig(PEModelConfig):
    """Config of :class:`GraphGPS` (``model.name: gps``).

    Args:
        hidden_channels: width of every layer (GraphGPS's ``dim_hidden``).
        num_layers: GPS layers.
        local_conv: ``gine``, ``gatedgcn``, ``gat``, ``gcn``, ``pna`` or ``none``.
        global_model: ``transformer``, ``performer``, ``mamba`` (Graph-Mamba) or ``none``.
        heads: attention heads; must divide ``hidden_channels``.
        dropout: dropout of both branches and the FFN (GraphGPS's ``gt.dropout``).
        attn_dropout: dropout inside attention (GraphGPS's ``gt.attn_dropout``).
        norm: ``batch`` (GraphGPS default) or ``layer``.
        pool: graph readout (graph-level tasks).
        head_layers: hidden layers of the prediction head; graph heads halve the width
            each layer (GraphGPS's ``san_graph`` head with 2), node heads keep it.
        rwse_*, lap_*, signnet_*: positional encodings (:class:`PEModelConfig`);
            ``rwse_channels`` defaults to 28 here (GraphGPS's ZINC setting).
        mamba_state_channels: SSM state size for ``global_model: mamba``.
        mamba_bidirectional: scan the node sequence both ways.
        mamba_eval_orderings: noisy degree orderings averaged in evaluation.
        mamba_ordering: node order of the scan: ``degree`` (Graph-Mamba), ``pagerank``
            or ``random`` (ablations).
        mamba_order_noise: scale of the uniform noise added to the degree key (1.0:
            random tie-breaking, Graph-Mamba; 0: a fixed order, ties by node index).
        mamba_expand: Mamba inner width factor (1, as Graph-Mamba's
            ``Mamba(d_model=dim_h, d_state=16, d_conv=4, expand=1)``).
        mamba_conv_kernel: Mamba causal convolution width (4).
        mamba_input_norm: LayerNorm on the Mamba branch's input tokens (default false,
            as Graph-Mamba; see :class:`~graphkit.nn.mamba.GraphSequenceMamba`): keeps rare
            batches from blowing the branch output and the BatchNorm statistics after it up.
    """

    hidden_channels: int = 64
    num_layers: int = 10
    local_conv: str = "gine"  # a registered local conv (graphkit.nn.conv.LOCAL_CONVS) or none
    global_model: str = "transformer"  # a registered global mixer (graphkit.nn.attention.GLOBAL_MODELS) or none
    heads: int = 4
    dropout: float = 0.0
    attn_dropout: float = 0.5
    norm: Literal["batch", "layer"] = "batch"
    pool: Literal["add", "mean", "max"] = "add"
    head_layers: int = 2
    rwse_channels: int = 28  # GraphGPS's ZINC width (PEModelConfig: 16)
    mamba_state_channels: int = 16
    mamba_bidirectional: bool = False
    mamba_eval_orderings: int = 5
    mamba_ordering: Literal["degree", "pagerank", "random"] = "degree"
    mamba_order_noise: float = 1.0
    mamba_expand: int = 1
    mamba_conv_kernel: int = 4
    mamba_input_norm: bool = False

    def __post_init__(self) -> None:
        check_local_conv(self.local_conv)
        check_global_model(self.global_model)
        if self.local_conv == "none" and self.global_model == "none":
            raise ValueError("model.local_conv and model.global_model cannot both be 'none'")
        super().__post_init__()
        if min(self.hidden_channels, self.num_layers, self.heads, self.mamba_state_channels,
               self.mamba_eval_orderings, self.mamba_expand, self.mamba_conv_kernel) < 1:
            raise ValueError("hidden_channels, num_layers, heads, mamba_state_channels, "
                             "mamba_eval_orderings, mamba_expand and mamba_conv_kernel must be >= 1")
        if self.hidden_channels % self.heads != 0:
            raise ValueError(f"model.hidden_channels ({self.hidden_channels}) must be "
                             f"divisible by model.heads ({self.heads})")
        if self.head_layers < 0:
            raise ValueError("model.head_layers must be >= 0")
        if self.mamba_ordering not in ("degree", "pagerank", "random"):
            raise ValueError("model.mamba_ordering must be 'degree', 'pagerank' or 'random', "
                             f"got {self.mamba_ordering!r}")
        if not self.mamba_order_noise >= 0:
            raise ValueError("model.mamba_order_noise must be >= 0")
        for name in ("dropout", "attn_dropout"):
            if not 0.0 <= getattr(self, name) < 1.0:
                raise ValueError(f"model.{name} must be in [0, 1)")


class GraphGPS(nn.Module):
    """Encoders, a stack of :class:`~graphkit.nn.layers.gps_layer.GPSLayer`, and a head.

    Node features are embedded to ``hidden_channels - rwse_channels - lap_channels`` and
    concatenated with the RWSE and LapPE encodings (GraphGPS's ``TypeDictNode+RWSE`` /
    ``Atom+LapPE`` encoders). Edge features are embedded to ``hidden_channels``; edge
    convolutions on graphs without edge features get one learned edge embedding
    (GraphGPS's ``DummyEdge``). GatedGCN's updated edge features are carried from layer
    to layer.

    Args:
        hidden_channels, num_layers, out_channels: widths and depth.
        level: ``graph`` (pool + MLP head) or ``node``.
        node_encoder: maps ``data.x`` to the node width (``hidden_channels`` minus the
            PE widths).
        edge_encoder: maps ``data.edge_attr`` to ``hidden_channels`` (or ``None``).
        rwse_encoder: :class:`RWSEEncoder` applied to ``data.rwse`` (or ``None``).
        lap_encoder: :class:`LapPEEncoder` applied to ``data.lap_pe`` and, when present,
            ``data.lap_eigval`` (or ``None``).
        layers: the layers, GPS-family blocks (:class:`~graphkit.nn.layers.GPSBlock`:
            :class:`GPSLayer`, GMN layers for Graph Mamba, compacted layers), each
            ``layer(x, edge_index, edge_attr, batch, padded) -> (x, edge_attr)``.
        pool: ``add``, ``mean`` or ``max``.
        head_layers: hidden layers of the head.

    Shapes:
        ``data`` (a PyG ``Batch``) -> ``[num_graphs, out]`` or ``[num_nodes, out]``
    """

    def __init__(
        self,
        hidden_channels: int,
        num_layers: int,
        out_channels: int,
        level: str,
        node_encoder: nn.Module,
        edge_encoder: Optional[nn.Module] = None,
        rwse_encoder: Optional[nn.Module] = None,
        lap_encoder: Optional[nn.Module] = None,
        layers: Optional[nn.ModuleList] = None,
        pool: str = "add",
        head_layers: int = 2,
    ) -> None:
        super().__init__()
        if level not in ("graph", "node"):
            raise ValueError(f"level must be 'graph' or 'node', got {level!r}")
        self.level = level
        self.node_encoder, self.edge_encoder = node_encoder, edge_encoder
        self.rwse_encoder, self.lap_encoder = rwse_encoder, lap_encoder
        self.layers = layers if layers is not None else nn.ModuleList(
            GPSLayer(hidden_channels) for _ in range(num_layers))
        first = self.layers[0]
        # what the blocks read: the edge features, and one padded layout shared by all layers
        self.needs_edges = "edge_attr" in first.local_inputs
        self.needs_padding = "padded" in (*first.global_inputs, *first.post_inputs)
        self.dummy_edge = None
        if self.needs_edges and edge_encoder is None:
            self.dummy_edge = nn.Parameter(torch.empty(1, hidden_channels))
            nn.init.normal_(self.dummy_edge)
        self.pool = _POOLS[pool]
        head: list[nn.Module] = []
        width = hidden_channels
        for _ in range(head_layers):
            nxt = max(1, width // 2) if level == "graph" else width
            head += [nn.Linear(width, nxt), nn.ReLU()]
            width = nxt
        head.append(nn.Linear(width, out_channels))
        self.head = nn.Sequential(*head)

    def encode(self, data: Data) -> tuple[Tensor, Optional[Tensor]]:
        """Node features with PEs concatenated, and embedded edge features."""
        parts = [self.node_encoder(data.x)]
        if self.rwse_encoder is not None:
            parts.append(self.rwse_encoder(data.rwse))
        if self.lap_encoder is not None:
            parts.append(self.lap_encoder(data.lap_pe, getattr(data, "lap_eigval", None),
                                          edge_index=data.edge_index))
        x = torch.cat(parts, dim=-1) if len(parts) > 1 else parts[0]
        edge_attr = None
        if self.needs_edges:
            if self.edge_encoder is not None:
                edge_attr = self.edge_encoder(data.edge_attr)
            else:
                edge_attr = self.dummy_edge.expand(data.edge_index.size(1), -1)
        return x, edge_attr

    def forward(self, data: Data) -> Tensor:
        x, edge_attr = self.encode(data)
        batch = getattr(data, "batch", None)
        num_graphs = getattr(data, "num_graphs", None) if batch is not None else 1
        padded = None
        if self.needs_padding:  # one padded layout shared by all layers
            padded = PaddedBatch.from_batch(batch, x.size(0), num_graphs)
        for layer in self.layers:
            x, edge_attr = layer(x, data.edge_index, edge_attr, batch, padded)
        if self.level == "node":
            return self.head(x)
        if batch is None:
            batch = torch.zeros(x.size(0), dtype=torch.long, device=x.device)
        return self.head(self.pool(x, batch, num_graphs))


def build_encoders(cfg: PEModelConfig, inputs: ModelInputs) -> dict:
    """Node / edge / PE encoders for a GraphGPS-style model (``cfg`` has the
    ``hidden_channels``, ``rwse_*`` and ``lap_*`` fields of :class:`PEModelConfig`)."""
    rwse_encoder = lap_encoder = None
    pe_width = 0
    if inputs.rwse_dim > 0 and cfg.rwse_channels > 0:
        rwse_encoder = RWSEEncoder(inputs.rwse_dim, cfg.rwse_channels, norm=cfg.rwse_norm)
        pe_width += cfg.rwse_channels
    if inputs.lap_dim > 0 and cfg.lap_channels > 0:
        lap_encoder = lap_encoder_resolver(
            cfg.lap_model, inputs.lap_dim, cfg.lap_channels, num_layers=cfg.lap_layers,
            heads=cfg.lap_heads, norm=cfg.lap_norm, phi_hidden=cfg.signnet_phi_hidden,
            phi_out=cfg.signnet_phi_out, rho_layers=cfg.signnet_rho_layers)
        pe_width += cfg.lap_channels
    if pe_width >= cfg.hidden_channels:
        raise ValueError(
            f"the PE widths in use (rwse_channels + lap_channels = {pe_width}) must be smaller "
            f"than model.hidden_channels ({cfg.hidden_channels}): they are concatenated into it")
    node_encoder = FeatureEncoder(
        inputs.node_encoder, cfg.hidden_channels - pe_width, inputs.num_features,
        inputs.num_node_types)
    edge_encoder = FeatureEncoder.for_edges(
        inputs.edge_encoder, cfg.hidden_channels, inputs.num_edge_features,
        inputs.num_edge_types)
    return dict(node_encoder=node_encoder, edge_encoder=edge_encoder,
                rwse_encoder=rwse_encoder, lap_encoder=lap_encoder)


def check_layer_ffn_channels(widths: tuple[int, ...], num_layers: int) -> None:
    """Validates a config's ``layer_ffn_channels`` (empty, or one width >= 0 per layer)."""
    if widths and (len(widths) != num_layers or min(widths) < 0):
        raise ValueError(f"model.layer_ffn_channels must be empty or have num_layers ({num_layers}) "
                         f"entries >= 0, got {widths}")


def layer_ffn_channels(widths: tuple[int, ...], i: int) -> Optional[int]:
    """Layer ``i``'s FFN width from a config's ``layer_ffn_channels`` (``None``: the default)."""
    return widths[i] if widths else None


def mamba_kwargs(cfg: GraphGPSConfig) -> dict:
    """Keyword arguments of :class:`GraphSequenceMamba` for ``global_model: mamba``."""
    return dict(state_channels=cfg.mamba_state_channels, bidirectional=cfg.mamba_bidirectional,
                eval_orderings=cfg.mamba_eval_orderings, ordering=cfg.mamba_ordering,
                noise=cfg.mamba_order_noise, expand=cfg.mamba_expand,
                conv_kernel=cfg.mamba_conv_kernel, input_norm=cfg.mamba_input_norm)


def build_graph_gps(cfg: GraphGPSConfig, inputs: ModelInputs) -> GraphGPS:
    """Turns the config and the data's sizes (features, encoders, PEs) into a model."""
    deg = None
    if cfg.local_conv == "pna":
        if inputs.degree_histogram is None:
            raise ValueError("local_conv 'pna' needs the training graphs' degree histogram")
        deg = torch.tensor(inputs.degree_histogram, dtype=torch.long)
    layer_kwargs = dict(
        local_conv=cfg.local_conv, global_model=cfg.global_model, heads=cfg.heads,
        dropout=cfg.dropout, attn_dropout=cfg.attn_dropout, norm=cfg.norm, deg=deg,
        mamba_kwargs=mamba_kwargs(cfg),
    )
    return GraphGPS(
        hidden_channels=cfg.hidden_channels, num_layers=cfg.num_layers,
        out_channels=inputs.out_channels, level=inputs.level,
        **build_encoders(cfg, inputs), pool=cfg.pool,
        layers=nn.ModuleList(GPSLayer(cfg.hidden_channels, **layer_kwargs)
                             for _ in range(cfg.num_layers)),
        head_layers=cfg.head_layers,
    )
