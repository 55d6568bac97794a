"""Graph Mamba Networks (GMN) as a graphkit model.

Behrouz & Hashemi, "Graph Mamba: Towards Learning on Graphs with State Space Models",
https://arxiv.org/abs/2402.08678. Graph-Mamba's GPS variant (Wang et al.) is
``model.name: gps`` with ``global_model: mamba``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from torch import nn

from graphkit.models.graph_gps import GraphGPS, build_encoders, check_layer_ffn_channels, layer_ffn_channels
from graphkit.models.model_inputs import ModelInputs
from graphkit.models.pe_model_config import PEModelConfig
from graphkit.nn.conv import check_local_conv
from graphkit.nn.layers import GMNLayer


@dataclass(frozen=True)
class GraphMambaConfig(PEModelConfig):
    """Config of GMN (``model.name: graph_mamba``).

    Args:
        hidden_channels, num_layers: width and depth.
        local_conv: local MPNN branch (``gatedgcn`` default; ``none`` for pure GMN).
        walk_length: ``m``; 0 uses node tokens (the whole graph as one sequence).
        num_walks: ``M`` random walks per subgraph token.
        num_samples: ``s`` tokens per walk length.
        ordering: node-token order for ``walk_length: 0``: ``degree`` or ``pagerank``.
        heads: heads of a ``gat`` local conv.
        dropout: branch / FFN dropout.
        norm: ``batch`` or ``layer``.
        state_channels: Mamba state size ``n``.
        eval_orderings: node orderings averaged in evaluation (``walk_length: 0``).
        pool, head_layers: readout and head, as for GraphGPS.
        rwse_*, lap_*, signnet_*: positional encodings (:class:`PEModelConfig`).
        layer_ffn_channels: FFN hidden width of each layer, written by ``graphkit sparsify``
            (empty: ``2 * hidden_channels`` everywhere; else ``num_layers`` entries).
    """

    hidden_channels: int = 64
    num_layers: int = 4
    local_conv: str = "gatedgcn"  # a registered local conv built without a degree histogram, or none
    walk_length: int = 2
    num_walks: int = 4
    num_samples: int = 1
    ordering: Literal["degree", "pagerank"] = "degree"
    heads: int = 4
    dropout: float = 0.0
    norm: Literal["batch", "layer"] = "batch"
    state_channels: int = 16
    eval_orderings: int = 5
    pool: Literal["add", "mean", "max"] = "mean"
    head_layers: int = 2
    layer_ffn_channels: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        check_local_conv(self.local_conv, degrees=False)
        super().__post_init__()
        if min(self.hidden_channels, self.num_layers, self.num_walks, self.num_samples,
               self.state_channels, self.eval_orderings, self.heads) < 1:
            raise ValueError("hidden_channels, num_layers, num_walks, num_samples, "
                             "state_channels, eval_orderings and heads must be >= 1")
        if self.walk_length < 0 or self.head_layers < 0:
            raise ValueError("model.walk_length and model.head_layers must be >= 0")
        if self.hidden_channels % self.heads != 0:
            raise ValueError("model.hidden_channels must be divisible by model.heads")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError("model.dropout must be in [0, 1)")
        check_layer_ffn_channels(self.layer_ffn_channels, self.num_layers)


def build_graph_mamba(cfg: GraphMambaConfig, inputs: ModelInputs) -> GraphGPS:
    """GraphGPS's encoder / head scaffold around a stack of :class:`GMNLayer`."""
    layers = nn.ModuleList(
        GMNLayer(cfg.hidden_channels, local_conv=cfg.local_conv, walk_length=cfg.walk_length,
                 num_walks=cfg.num_walks, num_samples=cfg.num_samples, ordering=cfg.ordering,
                 heads=cfg.heads, dropout=cfg.dropout, norm=cfg.norm,
                 state_channels=cfg.state_channels, eval_orderings=cfg.eval_orderings,
                 ffn_channels=layer_ffn_channels(cfg.layer_ffn_channels, i))
        for i in range(cfg.num_layers))
    return GraphGPS(
        hidden_channels=cfg.hidden_channels, num_layers=cfg.num_layers,
        out_channels=inputs.out_channels, level=inputs.level,
        **build_encoders(cfg, inputs), layers=layers, pool=cfg.pool,
        head_layers=cfg.head_layers,
    )
