"""TGN: Temporal Graph Networks (Rossi et al. 2020, https://arxiv.org/abs/2006.10637).

Built from PyG's ``examples/tgn.py`` parts: ``TGNMemory`` with ``IdentityMessage`` and
``LastAggregator``, and a one-layer graph attention embedding (``TransformerConv``, 2 heads)
as DyGLib's TGN computes it: per (node, query time) pair, over the node's ``num_neighbors``
latest interactions before that time (DyGLib: 10), keys the neighbours' memories with edge
features = time encoding of ``t_query - t_event`` ‖ event features; a two-layer link
predictor. The memory's time encoder starts from DyGLib's (and TGAT's) frequencies
``10^(-9 i / (d - 1))`` instead of ``nn.Linear``'s random ones, which are meaningless for
time differences in seconds.

One fix to ``TGNMemory``'s training mode: it steps the GRU with an all-zero message for a
node that has no pending message (a node not seen since the reset), so in training such a
node's memory is ``GRU(0, 0)`` (and its first real update starts from there), while in
evaluation it is 0 (``GRU(msg, 0)`` after its first event). The model learnt to read "never
seen" from that constant and misjudged nodes at evaluation (on UCI with lr 1e-3 and no
within-batch reads, validation AP 0.38 after the first epoch, 0.73 with this fix). Here an
unseen node's memory stays 0 in both modes, as in DyGLib.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor, nn
from torch_geometric.nn import TransformerConv
from torch_geometric.nn.models.tgn import IdentityMessage, LastAggregator, TGNMemory

from graphkit.config.run_config import ModelConfig
from graphkit.models.model_inputs import ModelInputs
from graphkit.models.temporal.link_predictor import LinkPredictor
from graphkit.models.temporal.time_encoding import TimeEncoding
from graphkit.temporal import RecentNeighbors, unique_node_times


@dataclass(frozen=True)
class TGNConfig(ModelConfig):
    """Args:
    memory_channels: node memory width (PyG example / DyGLib: 100 / 172).
    time_channels: time encoding width.
    hidden_channels: embedding width (even: two attention heads of half of it).
    num_neighbors: latest interactions attended per node (DyGLib: 10).
    heads: attention heads of the embedding layer.
    dropout: attention dropout (DyGLib on UCI: 0.1).
    trainable_time: learn the time encoder's frequencies (DyGLib: True). Adam moves each by
        about the learning rate per step, far more than the low frequencies (down to 1e-9)
        that encode gaps of days in seconds; GraphMixer (Cong et al. 2023) freezes them.
    """

    name: str = "tgn"
    memory_channels: int = 100
    time_channels: int = 100
    hidden_channels: int = 100
    num_neighbors: int = 10
    heads: int = 2
    dropout: float = 0.1
    trainable_time: bool = True


class TGN(nn.Module):
    """TGN as a :class:`~graphkit.models.temporal.TemporalLinkModel` (see the module).

    Args:
        num_nodes: nodes of the stream.
        edge_channels: event feature width.
        memory_channels, time_channels, hidden_channels, num_neighbors, heads, dropout:
            see :class:`TGNConfig`.
    """

    def __init__(self, num_nodes: int, edge_channels: int, *, memory_channels: int = 100,
                 time_channels: int = 100, hidden_channels: int = 100, num_neighbors: int = 10,
                 heads: int = 2, dropout: float = 0.1, trainable_time: bool = True) -> None:
        super().__init__()
        if hidden_channels % heads:
            raise ValueError(f"hidden_channels ({hidden_channels}) must be divisible by heads ({heads})")
        self.memory = TGNMemory(num_nodes, edge_channels, memory_channels, time_channels,
                                message_module=IdentityMessage(edge_channels, memory_channels, time_channels),
                                aggregator_module=LastAggregator())
        self.conv = TransformerConv(memory_channels, hidden_channels // heads, heads=heads, dropout=dropout,
                                    edge_dim=time_channels + edge_channels)
        with torch.no_grad():  # DyGLib's initial frequencies (see the module)
            self.memory.time_enc.lin.weight.copy_(TimeEncoding(time_channels).lin.weight)
            self.memory.time_enc.lin.bias.zero_()
        self.memory.time_enc.requires_grad_(trainable_time)
        self.predictor = LinkPredictor(hidden_channels, hidden_channels)
        self.neighbors = RecentNeighbors(num_nodes, num_neighbors, edge_channels)
        self.num_nodes = num_nodes
        self.register_buffer("seen", torch.zeros(num_nodes, dtype=torch.bool), persistent=False)

    def reset_state(self) -> None:
        self.memory.reset_state()
        # TGNMemory zeroes ``memory`` through ``.data``, which keeps its autograd history:
        # without the detach the next backward would reach into the previous epoch's graph
        self.memory.detach()
        self.neighbors.reset()
        self.seen.zero_()

    def detach_state(self) -> None:
        self.memory.detach()

    def observe(self, src: Tensor, dst: Tensor, t: Tensor, msg: Tensor) -> None:
        n_id = torch.unique(torch.cat([src, dst]))
        first = n_id[~self.seen[n_id]]
        self.memory.update_state(src, dst, t.long(), msg)
        if self.memory.training:  # the GRU stepped first-seen nodes with no message: undo (see the module)
            self.memory.memory[first] = 0.0
        self.seen[n_id] = True
        self.neighbors.insert(src, dst, t, msg)

    def forward(self, x: Tensor, src: Tensor, dst: Tensor, t: Tensor,
                batch: tuple[Tensor, Tensor, Tensor, Tensor] | None = None) -> Tensor:
        p = src.numel()
        # each (node, time) once: negatives share their positive's source and time
        nodes, times, inv = unique_node_times(torch.cat([src, dst]), torch.cat([t, t]))
        q = nodes.numel()
        nbr, nbr_t, feats, mask = self.neighbors.query(nodes, times, batch)  # [Q, K]
        center = torch.arange(q, device=src.device).view(-1, 1).expand_as(nbr)[mask]
        mem_nodes, mem_index = torch.unique(torch.cat([nodes, nbr[mask]]), return_inverse=True)
        z, _ = self.memory(mem_nodes)  # memories after every observed event
        z = torch.where(self.seen[mem_nodes].unsqueeze(-1), z, torch.zeros_like(z))  # unseen: 0 (see the module)
        edge_index = torch.stack([torch.arange(center.numel(), device=src.device), center])  # neighbour -> pair
        rel_t = times[center] - nbr_t[mask]
        edge_attr = torch.cat([self.memory.time_enc(rel_t.to(z.dtype)), feats[mask]], dim=-1)
        h = self.conv((z[mem_index[q:]], z[mem_index[:q]]), edge_index, edge_attr)[inv]  # [2P, C]
        return self.predictor(h[:p], h[p:])


def build_tgn(cfg: TGNConfig, inputs: ModelInputs) -> TGN:
    return TGN(int(inputs.num_nodes), inputs.num_edge_features, memory_channels=cfg.memory_channels,
               time_channels=cfg.time_channels, hidden_channels=cfg.hidden_channels,
               num_neighbors=cfg.num_neighbors, heads=cfg.heads, dropout=cfg.dropout,
               trainable_time=cfg.trainable_time)
