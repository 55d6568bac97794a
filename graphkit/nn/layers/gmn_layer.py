"""One Graph Mamba Network (GMN) layer."""

from __future__ import annotations

from typing import Optional

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from graphkit.nn.mamba.bi_mamba import BiMamba
from graphkit.nn.fast_dropout import fast_dropout
from graphkit.nn.conv import EDGE_CONVS, LOCAL_CONVS, local_conv_resolver
from graphkit.nn.norm import norm_resolver
from graphkit.nn.mamba.graph_sequence_mamba import GraphSequenceMamba
from graphkit.nn.mamba.neighborhood_tokenizer import NeighborhoodTokenizer
from graphkit.nn.attention.padded_batch import PaddedBatch


class GMNLayer(nn.Module):
    """A layer of `Graph Mamba Networks <https://arxiv.org/abs/2402.08678>`_ (Behrouz &
    Hashemi), arranged like a GPS layer: an optional local MPNN branch and a
    bidirectional-Mamba branch over neighbourhood tokens, summed, then an FFN.

    With ``walk_length = 0`` the tokens are the nodes of each graph, ordered by degree
    or PageRank (:class:`GraphSequenceMamba`, bidirectional). With ``walk_length = m >= 1``
    every node gets its own sequence of ``m * s`` random-walk subgraph tokens
    (:class:`NeighborhoodTokenizer`, farthest first) followed by the node itself; each
    token is locally encoded (a linear map + ReLU of its nodes' features, mean-pooled over
    the walk visits) and the bidirectional Mamba output at the node's own position is
    the branch output. GMN's authors released no code; this local encoding is a
    simplification of the paper's "MPNN on each subgraph token".

    Args:
        channels: hidden width.
        local_conv: as in :class:`GPSLayer` (``gatedgcn`` carries edge features).
        walk_length, num_walks, num_samples: ``m``, ``M``, ``s``.
        ordering: node-token order for ``m = 0``: ``degree`` or ``pagerank``.
        heads: heads for ``gat`` local convs.
        dropout: dropout of both branches and the FFN.
        norm: ``batch``, ``layer`` or ``none``.
        state_channels: SSM state size.
        eval_orderings: noisy node orderings averaged in evaluation (``m = 0``).

    Shapes:
        ``x [N, C]``, ``edge_index [2, E]``, ``edge_attr [E, C]``, ``batch [N]`` ->
        ``(x' [N, C], edge_attr')``
    """

    def __init__(
        self,
        channels: int,
        local_conv: str = "gatedgcn",
        walk_length: int = 0,
        num_walks: int = 4,
        num_samples: int = 1,
        ordering: str = "degree",
        heads: int = 4,
        dropout: float = 0.0,
        norm: str = "batch",
        state_channels: int = 16,
        eval_orderings: int = 5,
    ) -> None:
        super().__init__()
        if local_conv not in LOCAL_CONVS:
            raise ValueError(f"unknown local_conv {local_conv!r}; valid: {', '.join(LOCAL_CONVS)}")
        if walk_length < 0:
            raise ValueError("walk_length must be >= 0")
        self.local_kind, self.global_kind = local_conv, "gmn"
        self.dropout, self.walk_length = dropout, walk_length
        self.local = local_conv_resolver(local_conv, channels, heads, dropout, None)
        self.norm_local = norm_resolver(norm, channels) if self.local is not None else None
        if walk_length == 0:
            self.node_mamba = GraphSequenceMamba(
                channels, state_channels=state_channels, bidirectional=True,
                eval_orderings=eval_orderings, ordering=ordering)
        else:
            self.tokenizer = NeighborhoodTokenizer(walk_length, num_walks, num_samples)
            self.token_encoder = nn.Sequential(nn.Linear(channels, channels), nn.ReLU())
            self.token_mamba = BiMamba(channels, state_channels=state_channels)
        self.norm_global = norm_resolver(norm, channels)
        self.ff1 = nn.Linear(channels, 2 * channels)
        self.ff2 = nn.Linear(2 * channels, channels)
        self.norm_ff = norm_resolver(norm, channels)

    def _token_branch(self, x: Tensor, edge_index: Tensor, batch: Optional[Tensor]) -> Tensor:
        if self.walk_length == 0:
            return self.node_mamba(x, edge_index, batch)
        walks = self.tokenizer(edge_index, x.size(0))
        tokens = self.tokenizer.pool(self.token_encoder(x), walks)  # [N, m*s, C]
        sequence = torch.cat([tokens, x.unsqueeze(1)], dim=1)  # the node itself last
        return self.token_mamba(sequence)[:, -1]

    def forward(
        self,
        x: Tensor,
        edge_index: Tensor,
        edge_attr: Optional[Tensor] = None,
        batch: Optional[Tensor] = None,
        padded: Optional[PaddedBatch] = None,
    ) -> tuple[Tensor, Optional[Tensor]]:
        h = self.norm_global(x + fast_dropout(self._token_branch(x, edge_index, batch),
                                           self.dropout, self.training))
        if self.local is not None:
            if self.local_kind == "gatedgcn":
                h_local, edge_attr = self.local(x, edge_index, edge_attr)
            else:
                args = (x, edge_index, edge_attr) if self.local_kind in EDGE_CONVS else (x, edge_index)
                h_local = x + fast_dropout(self.local(*args), self.dropout, self.training)
            h = h + self.norm_local(h_local)
        ff = fast_dropout(F.relu(self.ff1(h)), self.dropout, self.training)
        h = self.norm_ff(h + fast_dropout(self.ff2(ff), self.dropout, self.training))
        return h, edge_attr
