"""Config of the EHGNN models (``model.name: ehgnn_hyperdrop`` / ``ehgnn_hypercluster``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from graphkit.config.run_config import ModelConfig
from graphkit.nn.conv import check_local_conv

POOLINGS = ("ehgnn_hyperdrop", "ehgnn_hypercluster")


@dataclass(frozen=True)
class EHGNNConfig(ModelConfig):
    """EHGNN (`Jo et al. 2021 <https://arxiv.org/abs/2106.15845>`_): node message passing on
    the graph alternating with hypergraph convolution on its dual hypergraph (the edges),
    then edge pooling; ``name`` picks the pooling.

    Args:
        hidden_channels: node width (the reference code's ``num_hidden``, 128).
        edge_hidden_channels: edge (hypernode) width; null = ``hidden_channels`` (the
            reference uses ``hidden_channels / 8`` on COLLAB only).
        num_layers: node convolutions (the reference's ``num_convs``, 3); HyperDrop pools
            the edges after each one but the last.
        local_conv: the node convolution, any registered local conv (``gcn`` as in the
            paper; convs that read ``edge_attr`` get the learned edge features). HyperDrop
            needs one that reads edge weights (``gcn``) or edge features.
        ratio: HyperDrop: fraction of each graph's edges kept at each pooling,
            ``ceil(ratio * E_graph)`` (in (0, 1]).
        num_clusters: HyperCluster: edge clusters per graph (>= 1).
        heads: HyperCluster attention heads; must divide the edge width.
        dropout: dropout of the classifier, in [0, 1).
    """

    hidden_channels: int = 128
    edge_hidden_channels: Optional[int] = None
    num_layers: int = 3
    local_conv: str = "gcn"
    ratio: float = 0.8
    num_clusters: int = 16
    heads: int = 4
    dropout: float = 0.5

    def __post_init__(self) -> None:
        if self.name not in POOLINGS:
            raise ValueError(f"EHGNNConfig.name must be one of {', '.join(POOLINGS)}, got {self.name!r}")
        check_local_conv(self.local_conv)
        if self.local_conv == "none":
            raise ValueError("model.local_conv must name a node convolution, not 'none'")
        if self.num_layers < 1 or self.hidden_channels < 1 or self.num_clusters < 1 or self.heads < 1:
            raise ValueError("model.num_layers, hidden_channels, num_clusters and heads must be >= 1")
        if self.edge_hidden_channels is not None and self.edge_hidden_channels < 1:
            raise ValueError("model.edge_hidden_channels must be >= 1 (or null)")
        if not 0.0 < self.ratio <= 1.0:
            raise ValueError(f"model.ratio must be in (0, 1], got {self.ratio}")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError("model.dropout must be in [0, 1)")
        if self.name == "ehgnn_hypercluster" and (self.edge_hidden_channels or self.hidden_channels) % self.heads:
            raise ValueError("model.heads must divide the edge width (edge_hidden_channels or hidden_channels)")
