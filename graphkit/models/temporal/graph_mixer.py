"""GraphMixer (Cong et al., ICLR 2023, https://arxiv.org/abs/2302.11636), memory-free.

As DyGLib implements it (``models/GraphMixer.py``): a node's ``num_neighbors`` latest
interactions before the query time (DyGLib on UCI: 20) are tokens ``[event features ‖
fixed time encoding of (t - t')]``, projected and mixed by ``num_layers`` MLP-Mixer blocks
(token and channel MLPs), mean-pooled; the node encoder adds the node's features to the
mean of its neighbours' (DyGLib averages over up to ``time_gap`` = 2000 neighbours, here the
same ``num_neighbors``); both are joined by a linear layer and scored by the two-layer link
predictor.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor, nn

from graphkit.config.run_config import ModelConfig
from graphkit.models.model_inputs import ModelInputs
from graphkit.models.temporal.link_predictor import LinkPredictor, score_events
from graphkit.models.temporal.mask_dropout import MaskDropout
from graphkit.models.temporal.time_encoding import TimeEncoding
from graphkit.temporal import RecentNeighbors


@dataclass(frozen=True)
class GraphMixerConfig(ModelConfig):
    """Args:
    hidden_channels: token channels and embedding width (DyGLib: 172, the padded feature width).
    time_channels: time encoding width (DyGLib: 100).
    num_neighbors: latest interactions per node (DyGLib on UCI: 20).
    num_layers: MLP-Mixer blocks (DyGLib: 2).
    dropout: dropout of the mixer MLPs (DyGLib on UCI: 0.4).
    """

    name: str = "graphmixer"
    hidden_channels: int = 172
    time_channels: int = 100
    num_neighbors: int = 20
    num_layers: int = 2
    dropout: float = 0.4


class _FeedForward(nn.Sequential):
    def __init__(self, channels: int, expansion: float, dropout: float) -> None:
        hidden = max(1, int(expansion * channels))
        super().__init__(nn.Linear(channels, hidden), nn.GELU(), MaskDropout(dropout), nn.Linear(hidden, channels),
                         MaskDropout(dropout))


class _MixerBlock(nn.Module):
    """Token mixing (expansion 0.5) then channel mixing (expansion 4), pre-norm, residual."""

    def __init__(self, num_tokens: int, channels: int, dropout: float) -> None:
        super().__init__()
        self.token_norm, self.token_ff = nn.LayerNorm(num_tokens), _FeedForward(num_tokens, 0.5, dropout)
        self.channel_norm, self.channel_ff = nn.LayerNorm(channels), _FeedForward(channels, 4.0, dropout)

    def forward(self, h: Tensor) -> Tensor:  # [B, K, C]
        h = h + self.token_ff(self.token_norm(h.transpose(1, 2))).transpose(1, 2)
        return h + self.channel_ff(self.channel_norm(h))


class GraphMixer(nn.Module):
    """GraphMixer as a :class:`~graphkit.models.temporal.TemporalLinkModel` (see the module).

    Args:
        num_nodes, in_channels, edge_channels: nodes, node and event feature widths.
        hidden_channels, time_channels, num_neighbors, num_layers, dropout: see
            :class:`GraphMixerConfig`.
    """

    def __init__(self, num_nodes: int, in_channels: int, edge_channels: int, *, hidden_channels: int = 172,
                 time_channels: int = 100, num_neighbors: int = 20, num_layers: int = 2,
                 dropout: float = 0.4) -> None:
        super().__init__()
        self.time_enc = TimeEncoding(time_channels, trainable=False)
        self.project = nn.Linear(edge_channels + time_channels, hidden_channels)
        self.mixers = nn.ModuleList(_MixerBlock(num_neighbors, hidden_channels, dropout) for _ in range(num_layers))
        self.node_lin = nn.Linear(in_channels, hidden_channels)
        self.out = nn.Linear(2 * hidden_channels, hidden_channels)
        self.predictor = LinkPredictor(hidden_channels, hidden_channels)
        self.neighbors = RecentNeighbors(num_nodes, num_neighbors, edge_channels)

    def reset_state(self) -> None:
        self.neighbors.reset()

    def detach_state(self) -> None:
        pass  # the state is observed data only

    def observe(self, src: Tensor, dst: Tensor, t: Tensor, msg: Tensor) -> None:
        self.neighbors.insert(src, dst, t, msg)

    def embed(self, x: Tensor, nodes: Tensor, t: Tensor, batch: tuple[Tensor, ...] | None = None) -> Tensor:
        """Embeddings ``[B, C]`` of ``nodes`` at times ``t`` from their interactions before ``t``
        (``batch``: unobserved events readable strictly before ``t``)."""
        nbr, times, feats, mask = self.neighbors.query(nodes, t, batch)
        dt = (t.float().view(-1, 1) - times) * mask
        tokens = torch.cat([feats, self.time_enc(dt) * mask.unsqueeze(-1)], dim=-1)  # [B, K, E + T]
        h = self.project(tokens)
        for mixer in self.mixers:
            h = mixer(h)
        link = h.mean(dim=1)  # [B, C] (DyGLib: no norm before the pooling)
        count = mask.sum(1, keepdim=True).clamp(min=1)
        node = x[nodes] + (x[nbr] * mask.unsqueeze(-1)).sum(1) / count
        return self.out(torch.cat([link, self.node_lin(node)], dim=-1))

    def forward(self, x: Tensor, src: Tensor, dst: Tensor, t: Tensor,
                batch: tuple[Tensor, Tensor, Tensor, Tensor] | None = None) -> Tensor:
        return score_events(lambda nodes, times: self.embed(x, nodes, times, batch), self.predictor, src, dst, t)


def build_graph_mixer(cfg: GraphMixerConfig, inputs: ModelInputs) -> GraphMixer:
    return GraphMixer(int(inputs.num_nodes), max(inputs.num_features, 1), max(inputs.num_edge_features, 1),
                      hidden_channels=cfg.hidden_channels, time_channels=cfg.time_channels,
                      num_neighbors=cfg.num_neighbors, num_layers=cfg.num_layers, dropout=cfg.dropout)
