"""HyperCluster: soft-assigns a graph's edges to a fixed number of learned edge clusters."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch_geometric.utils import to_dense_batch

from graphkit.models.ehgnn.dual_hypergraph_conv import DualHypergraphConv
from graphkit.models.ehgnn.dual_operator import DualOperator


class HyperCluster(nn.Module):
    """Edge pooling of `Jo et al. 2021 <https://arxiv.org/abs/2106.15845>`_ (Sec. 3.3): keys
    and values of the hypernodes come from hypergraph convolutions on the dual hypergraph,
    ``num_clusters`` learned seeds are the queries, and every edge is split over the
    clusters by a softmax over the seeds (multi-head, the reference code's
    ``GMPool(cluster=True, mab_conv='Hyper')``); a cluster is its seed plus the
    weighted sum of its edges, followed by a residual feed-forward layer.

    Args:
        channels: edge width.
        num_clusters: clusters per graph.
        heads: attention heads; must divide ``channels``.

    Shapes:
        ``edge_attr [E, C]``, ``dual`` (:class:`DualOperator`), ``edge_batch [E]`` ->
        ``[num_graphs, num_clusters, C]``
    """

    def __init__(self, channels: int, num_clusters: int, heads: int = 4) -> None:
        super().__init__()
        if channels % heads:
            raise ValueError(f"heads ({heads}) must divide channels ({channels})")
        self.heads = heads
        self.seeds = nn.Parameter(torch.empty(num_clusters, channels))
        nn.init.xavier_uniform_(self.seeds)
        self.query = nn.Linear(channels, channels)
        self.key = DualHypergraphConv(channels, channels)
        self.value = DualHypergraphConv(channels, channels)
        self.out = nn.Linear(channels, channels)

    def forward(self, edge_attr: Tensor, dual: DualOperator, edge_batch: Tensor, num_graphs: int) -> Tensor:
        channels = self.seeds.size(1)
        head_dim = channels // self.heads
        keys, mask = to_dense_batch(self.key(edge_attr, dual), edge_batch,
                                    batch_size=num_graphs)  # [B, E_max, C]
        values, _ = to_dense_batch(self.value(edge_attr, dual), edge_batch,
                                   batch_size=num_graphs)
        queries = self.query(self.seeds).expand(num_graphs, -1, -1)  # [B, K, C]

        def split(t: Tensor) -> Tensor:  # [B, L, C] -> [B, heads, L, C / heads]
            return t.view(t.size(0), t.size(1), self.heads, head_dim).transpose(1, 2)

        scores = split(queries) @ split(keys).transpose(-1, -2) / math.sqrt(channels)  # [B, heads, K, E_max]
        # each edge is split over the clusters; padding slots take no part
        assign = torch.softmax(scores, dim=2) * mask[:, None, None, :]
        clusters = (assign @ split(values)).transpose(1, 2).reshape(num_graphs, -1, channels)  # [B, K, C]
        clusters = queries + clusters
        return clusters + F.relu(self.out(clusters))
