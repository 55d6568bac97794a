"""One Graph Mamba Network (GMN) layer."""

from __future__ import annotations

from typing import Optional

from graphkit.nn.conv import check_local_conv, local_conv_inputs, local_conv_resolver, updates_edges
from graphkit.nn.layers.gps_block import BRANCH_ORDER, GPSBlock
from graphkit.nn.mamba.graph_sequence_mamba import GraphSequenceMamba
from graphkit.nn.mamba.neighborhood_mamba import NeighborhoodMamba


class GMNLayer(GPSBlock):
    """A layer of `Graph Mamba Networks <https://arxiv.org/abs/2402.08678>`_ (Behrouz &
    Hashemi), arranged like a GPS layer (a :class:`GPSBlock`): an optional local MPNN
    branch and a bidirectional-Mamba branch over neighbourhood tokens, summed, then an FFN.

    With ``walk_length = 0`` the tokens are the nodes of each graph, ordered by degree
    or PageRank (:class:`GraphSequenceMamba`, bidirectional). With ``walk_length = m >= 1``
    every node reads its own sequence of random-walk subgraph tokens
    (:class:`NeighborhoodMamba`).

    Checkpoints of the former ``GMNLayer`` (``node_mamba.*``, ``token_encoder.*``,
    ``token_mamba.*``) load into ``global_model.*``.

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
        ffn_channels: FFN hidden width (default ``2 * channels``; a sparsifier's kept width).

    Shapes:
        ``x [N, C]``, ``edge_index [2, E]``, ``edge_attr [E, C]``, ``batch [N]`` ->
        ``(x' [N, C], edge_attr')``
    """

    def __init__(self, channels: int, local_conv: str = "gatedgcn", walk_length: int = 0, num_walks: int = 4,
                 num_samples: int = 1, ordering: str = "degree", heads: int = 4, dropout: float = 0.0,
                 norm: str = "batch", state_channels: int = 16, eval_orderings: int = 5,
                 ffn_channels: Optional[int] = None) -> None:
        check_local_conv(local_conv, where="local_conv")
        if walk_length < 0:
            raise ValueError("walk_length must be >= 0")
        local = local_conv_resolver(local_conv, channels, heads, dropout, None)
        if walk_length == 0:
            mixer = GraphSequenceMamba(channels, state_channels=state_channels, bidirectional=True,
                                       eval_orderings=eval_orderings, ordering=ordering)
            inputs, renamed = ("edge_index", "batch"), {"node_mamba.": "global_model."}
        else:
            mixer = NeighborhoodMamba(channels, walk_length, num_walks, num_samples, state_channels)
            inputs = ("edge_index",)
            renamed = {"token_encoder.": "global_model.token_encoder.",
                       "token_mamba.": "global_model.token_mamba."}
        super().__init__(
            channels, local, mixer, local_inputs=local_conv_inputs(local_conv),
            global_inputs=inputs, updates_edges=updates_edges(local_conv),
            global_first=True, ffn_channels=ffn_channels, dropout=dropout, norm=norm, order=BRANCH_ORDER,
            renamed=renamed, local_kind=local_conv, global_kind="gmn")
        self.walk_length = walk_length
