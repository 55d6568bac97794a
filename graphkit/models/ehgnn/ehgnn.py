"""EHGNN with HyperDrop or HyperCluster edge pooling for graph-level tasks
(`Jo et al. 2021, "Edge Representation Learning with Hypergraphs"
<https://arxiv.org/abs/2106.15845>`_; reference code: github.com/harryjo97/EHGNN)."""

from __future__ import annotations

from typing import Optional

import torch
from torch import Tensor, nn
from torch_geometric.data import Data
from torch_geometric.nn import global_add_pool, global_max_pool, global_mean_pool

from graphkit.models.ehgnn.ehgnn_config import EHGNNConfig
from graphkit.models.ehgnn.dual_operator import DualOperator
from graphkit.models.ehgnn.ehgnn_conv import EHGNNConv
from graphkit.models.ehgnn.hyper_cluster import HyperCluster
from graphkit.models.ehgnn.hyper_drop import HyperDrop
from graphkit.models.model_inputs import ModelInputs
from graphkit.nn.encoding import FeatureEncoder

POOLS = ("hyperdrop", "hypercluster")


def _readout(x: Tensor, batch: Tensor, num_graphs: int, sizes: Optional[Tensor]) -> Tensor:
    """max | mean | sum of the node features per graph (the reference's readout); ``sizes``:
    nodes per graph when the nodes are grouped by graph (a PyG batch): the max is then a
    segment reduction (a cheaper backward than a scatter max's), else ``None``."""
    if sizes is None:
        return torch.cat([global_max_pool(x, batch, num_graphs), global_mean_pool(x, batch, num_graphs),
                          global_add_pool(x, batch, num_graphs)], dim=-1)  # [B, 3C]
    nonempty = (sizes > 0).unsqueeze(-1)
    top = torch.segment_reduce(x, "max", lengths=sizes, unsafe=True).where(nonempty, 0.0)  # empty graph: 0
    total = x.new_zeros(num_graphs, x.size(1)).index_add(0, batch, x)
    return torch.cat([top, total / sizes.clamp(min=1).unsqueeze(-1), total], dim=-1)  # [B, 3C]


def dual_operator(data: Data, batch: Tensor, num_graphs: int) -> DualOperator:
    """The dual hypergraph of ``data``'s edges; its node-major incidences come from the
    dataset's cache (``data.dht_node_index`` / ``data.dht_edge``, local edge numbers per
    graph, :class:`~graphkit.transforms.dual_hypergraph.AddDualIncidence`) when present."""
    edge_index = data.edge_index
    cached = data.get("dht_edge")
    if cached is None:
        return DualOperator.build(edge_index, batch.numel())
    nodes = data.dht_node_index
    per_graph = torch.bincount(batch[edge_index[0]], minlength=num_graphs)
    offsets = torch.cumsum(per_graph, 0) - per_graph  # edges of the graphs before each one
    return DualOperator.build(edge_index, batch.numel(), torch.stack([nodes, cached + offsets[batch[nodes]]]))


class EHGNN(nn.Module):
    """Node convolutions on the graph alternating with hypergraph convolutions on its dual
    hypergraph, with edge pooling, for graph-level prediction.

    ``hyperdrop`` (the reference's TU / OGB classifier): layer ``i`` updates the nodes over
    the remaining edges (weighted by the last drop's scores), then, except in the last
    layer, updates the edges on the dual hypergraph and drops the lowest-scored ones; the
    graph is the sum over layers of each layer's max | mean | sum node readout.
    ``hypercluster``: no edge is dropped; after the last layer the edges are pooled into
    ``num_clusters`` clusters per graph (:class:`HyperCluster`), whose mean joins the node
    readout. A 3-layer MLP head maps the graph vector to ``out_channels``.

    Args:
        pool: ``hyperdrop`` or ``hypercluster``.
        hidden_channels, edge_channels: node and edge widths.
        out_channels: outputs (classes / tasks).
        num_layers: node convolutions.
        local_conv: registered local conv for the nodes (``gcn``).
        ratio, num_clusters, heads: HyperDrop / HyperCluster settings (:class:`EHGNNConfig`).
        dropout: head dropout.
        node_encoder: ``x`` -> ``[N, hidden_channels]``.
        edge_encoder: ``edge_attr`` (or ones ``[E, 1]`` when the data has none) ->
            ``[E, edge_in_channels]``.
        edge_in_channels: width of the encoded edge features (default ``edge_channels``);
            float features enter the first hypergraph convolution as they are (an identity
            encoder), as in the reference code, which is also cheaper: a narrow input is
            propagated before its weight is applied.

    Shapes:
        ``data.x [N, *]``, ``data.edge_index [2, E]``, ``data.edge_attr [E, *]`` (optional),
        ``data.batch [N]`` -> ``[num_graphs, out_channels]``
    """

    def __init__(self, pool: str, hidden_channels: int, edge_channels: int, out_channels: int,
                 node_encoder: nn.Module, edge_encoder: nn.Module, edge_in_channels: Optional[int] = None,
                 num_layers: int = 3, local_conv: str = "gcn",
                 ratio: float = 0.8, num_clusters: int = 16, heads: int = 4, dropout: float = 0.5) -> None:
        super().__init__()
        if pool not in POOLS:
            raise ValueError(f"pool must be one of {', '.join(POOLS)}, got {pool!r}")
        self.pool, self.num_layers = pool, num_layers
        self.node_encoder, self.edge_encoder = node_encoder, edge_encoder
        drop = pool == "hyperdrop"
        self.convs = nn.ModuleList(
            EHGNNConv(local_conv, hidden_channels, edge_channels if i else edge_in_channels or edge_channels,
                      0 if drop and i == num_layers - 1 else edge_channels)
            for i in range(num_layers)
        )
        if drop and num_layers > 1 and not self.convs[1].weights_edges:
            raise ValueError(f"HyperDrop needs a node conv that reads edge weights or edge features; "
                             f"local_conv {local_conv!r} reads neither")
        self.drops = nn.ModuleList(HyperDrop(edge_channels, ratio) for _ in range(num_layers - 1)) if drop else None
        self.cluster = HyperCluster(edge_channels, num_clusters, heads) if not drop else None
        width = 3 * hidden_channels + (0 if drop else edge_channels)
        self.head = nn.Sequential(
            nn.Linear(width, hidden_channels), nn.ReLU(), nn.Dropout(dropout),
            nn.Linear(hidden_channels, hidden_channels // 2), nn.ReLU(), nn.Dropout(dropout),
            nn.Linear(hidden_channels // 2, out_channels),
        )

    def embed(self, data: Data) -> Tensor:
        """The graph vectors before the head ``[num_graphs, width]``."""
        edge_index = data.edge_index
        batch = data.get("batch")
        if batch is None:
            batch = edge_index.new_zeros(data.num_nodes)
        num_graphs = int(data.num_graphs) if data.get("batch") is not None else 1
        x = self.node_encoder(data.x)  # [N, hidden]
        edge_attr = data.get("edge_attr")
        if edge_attr is None:
            edge_attr = torch.ones(edge_index.size(1), 1, device=edge_index.device)
        edge_attr = self.edge_encoder(edge_attr.float() if edge_attr.is_floating_point() else edge_attr)  # [E, D]
        weight: Optional[Tensor] = None
        graph = 0
        dual = dual_operator(data, batch, num_graphs)
        grouped = batch.numel() < 2 or bool((batch[1:] >= batch[:-1]).all())
        sizes = torch.bincount(batch, minlength=num_graphs) if grouped else None
        edge_batch = batch[edge_index[0]]
        for i, conv in enumerate(self.convs):
            x, edge_attr = conv(x, edge_index, edge_attr, weight, dual)
            graph = graph + _readout(x, batch, num_graphs, sizes)
            if self.drops is not None and i < self.num_layers - 1:
                keep, weight = self.drops[i](edge_attr, dual, edge_batch)
                edge_index, edge_attr, edge_batch = edge_index[:, keep], edge_attr[keep], edge_batch[keep]
                if i < self.num_layers - 2:  # the last layer updates no edges
                    dual = dual.keep(keep)  # the dual of the remaining edges
        if self.cluster is not None:
            clusters = self.cluster(edge_attr, dual, edge_batch, num_graphs)
            graph = torch.cat([graph, clusters.mean(dim=1)], dim=-1)
        return graph

    def forward(self, data: Data) -> Tensor:
        return self.head(self.embed(data))


def build_ehgnn(cfg: EHGNNConfig, inputs: ModelInputs) -> EHGNN:
    """Turns the config and the data's sizes into an :class:`EHGNN`."""
    if not inputs.is_graph_level:
        raise ValueError(f"model {cfg.name} is for graph-level tasks")
    edge_channels = cfg.edge_hidden_channels or cfg.hidden_channels
    node_encoder = FeatureEncoder(inputs.node_encoder, cfg.hidden_channels, max(inputs.num_features, 1),
                                  inputs.num_node_types)
    edge_encoder: nn.Module = nn.Identity()  # float edge features (the reference's all-ones when none)
    edge_in_channels = max(inputs.num_edge_features, 1) if inputs.edge_encoder in (None, "linear") else edge_channels
    if inputs.edge_encoder not in (None, "linear"):  # categorical: embedded
        edge_encoder = FeatureEncoder(inputs.edge_encoder, edge_channels, inputs.num_edge_features,
                                      inputs.num_edge_types)
    return EHGNN(
        pool=cfg.name.removeprefix("ehgnn_"), hidden_channels=cfg.hidden_channels, edge_channels=edge_channels,
        out_channels=inputs.out_channels, node_encoder=node_encoder, edge_encoder=edge_encoder,
        edge_in_channels=edge_in_channels,
        num_layers=cfg.num_layers, local_conv=cfg.local_conv, ratio=cfg.ratio, num_clusters=cfg.num_clusters,
        heads=cfg.heads, dropout=cfg.dropout,
    )
