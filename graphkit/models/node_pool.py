"""Hierarchical node-pooling baselines: SAGPool and TopKPool on PyG layers.

- SAGPool: Lee et al., "Self-Attention Graph Pooling", https://arxiv.org/abs/1904.08082
  (the hierarchical ``SAGPool_h`` architecture)
- TopKPool (gPool): Gao & Ji, "Graph U-Nets", https://arxiv.org/abs/1905.05178
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch_geometric.data import Data
from torch_geometric.nn import GCNConv, SAGPooling, TopKPooling, global_max_pool, global_mean_pool

from graphkit.config.run_config import ModelConfig
from graphkit.models.model_inputs import ModelInputs
from graphkit.nn.encoding import FeatureEncoder

NODE_POOLS = {"sagpool": SAGPooling, "topkpool": TopKPooling}


@dataclass(frozen=True)
class NodePoolConfig(ModelConfig):
    """Config of :class:`NodePoolNet` (``model.name: sagpool`` or ``topkpool``).

    Args:
        hidden_channels: width of every GCN layer (SAGPool's 128).
        num_layers: conv + pool blocks (3).
        ratio: fraction of each graph's nodes every pooling keeps, in (0, 1] (0.5).
        dropout: head dropout, in [0, 1).
    """

    hidden_channels: int = 128
    num_layers: int = 3
    ratio: float = 0.5
    dropout: float = 0.5

    def __post_init__(self) -> None:
        if self.name not in NODE_POOLS:
            raise ValueError(f"NodePoolConfig.name must be one of {', '.join(NODE_POOLS)}, got {self.name!r}")
        if self.num_layers < 1 or self.hidden_channels < 1:
            raise ValueError("model.num_layers and model.hidden_channels must be >= 1")
        if not 0.0 < self.ratio <= 1.0:
            raise ValueError(f"model.ratio must be in (0, 1], got {self.ratio}")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError("model.dropout must be in [0, 1)")


class NodePoolNet(nn.Module):
    """``num_layers`` blocks of GCN -> node pooling -> max | mean readout, the readouts
    summed and fed to a 3-layer MLP (SAGPool's hierarchical model).

    Args:
        pool: ``sagpool`` or ``topkpool``.
        in_channels: width after ``node_encoder``.
        hidden_channels, out_channels, num_layers, ratio, dropout: as usual.
        node_encoder: module applied to ``x`` first.

    Shapes:
        ``data.x [N, *]``, ``data.edge_index [2, E]``, ``data.batch [N]`` -> ``[num_graphs, out]``
    """

    def __init__(self, pool: str, in_channels: int, hidden_channels: int, out_channels: int,
                 num_layers: int = 3, ratio: float = 0.5, dropout: float = 0.5,
                 node_encoder: nn.Module | None = None) -> None:
        super().__init__()
        if pool not in NODE_POOLS:
            raise ValueError(f"pool must be one of {', '.join(NODE_POOLS)}, got {pool!r}")
        self.node_encoder = node_encoder or nn.Identity()
        self.convs = nn.ModuleList(GCNConv(in_channels if i == 0 else hidden_channels, hidden_channels)
                                   for i in range(num_layers))
        self.pools = nn.ModuleList(NODE_POOLS[pool](hidden_channels, ratio=ratio) for _ in range(num_layers))
        self.head = nn.Sequential(
            nn.Linear(2 * hidden_channels, hidden_channels), nn.ReLU(), nn.Dropout(dropout),
            nn.Linear(hidden_channels, hidden_channels // 2), nn.ReLU(), nn.Dropout(dropout),
            nn.Linear(hidden_channels // 2, out_channels),
        )

    def forward(self, data: Data) -> Tensor:
        x, edge_index = self.node_encoder(data.x).float(), data.edge_index
        batch = data.get("batch")
        if batch is None:
            batch = edge_index.new_zeros(x.size(0))
        num_graphs = int(batch.max()) + 1 if batch.numel() else 1
        graph = 0
        for conv, pool in zip(self.convs, self.pools):
            x = F.relu(conv(x, edge_index))
            x, edge_index, _, batch, _, _ = pool(x, edge_index, batch=batch)
            graph = graph + torch.cat([global_max_pool(x, batch, num_graphs),
                                       global_mean_pool(x, batch, num_graphs)], dim=-1)  # [B, 2C]
        return self.head(graph)


def build_node_pool(cfg: NodePoolConfig, inputs: ModelInputs) -> NodePoolNet:
    """Turns the config and the data's sizes into a :class:`NodePoolNet`."""
    if not inputs.is_graph_level:
        raise ValueError(f"model {cfg.name} is for graph-level tasks")
    node_encoder = None
    in_channels = inputs.num_features
    if inputs.node_encoder != "linear" or inputs.num_features == 0:
        node_encoder = FeatureEncoder(inputs.node_encoder, cfg.hidden_channels, inputs.num_features,
                                      inputs.num_node_types)
        in_channels = cfg.hidden_channels
    return NodePoolNet(cfg.name, in_channels, cfg.hidden_channels, inputs.out_channels, cfg.num_layers,
                       cfg.ratio, cfg.dropout, node_encoder)
