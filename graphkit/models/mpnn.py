"""Baseline message-passing networks (MLP, GCN, GraphSAGE, GIN, GINE, GAT) on PyG layers.

- GCN: Kipf & Welling, https://arxiv.org/abs/1609.02907
- GraphSAGE: Hamilton et al., https://arxiv.org/abs/1706.02216
- GIN / GINE: Xu et al., https://arxiv.org/abs/1810.00826; Hu et al., https://arxiv.org/abs/1905.12265
- GAT: Veličković et al., https://arxiv.org/abs/1710.10903
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Optional

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch_geometric.data import Data
from torch_geometric.nn import (
    GATConv,
    GCNConv,
    GINConv,
    GINEConv,
    SAGEConv,
    global_add_pool,
    global_max_pool,
    global_mean_pool,
)

from graphkit.config.run_config import ModelConfig
from graphkit.models.model_inputs import ModelInputs
from graphkit.nn.fast_dropout import FastDropout, fast_dropout
from graphkit.nn.norm import norm_resolver
from graphkit.nn.encoding.feature_encoder import FeatureEncoder

CONVS = ("mlp", "gcn", "sage", "gin", "gine", "gat")
_POOLS = {"add": global_add_pool, "mean": global_mean_pool, "max": global_max_pool}


@dataclass(frozen=True)
class MPNNConfig(ModelConfig):
    """Config of the baseline MPNNs; ``name`` is the layer type.

    Args:
        hidden_channels: hidden width (per head for GAT).
        num_layers: message-passing layers.
        dropout: dropout rate, used before every layer (inputs included, as in Kipf &
            Welling) and in the graph-level head.
        layer_dropout: false = use ``dropout`` only in the graph-level head (GIN's placement).
        norm: normalization after each hidden layer.
        pool: graph readout for graph-level tasks.
        jk: ``cat`` pools every layer's output (GIN's readout) instead of only the last.
            Raw inputs are left out of the readout: their sums over large graphs (hundreds
            of nodes in PROTEINS) dominate the head and collapse training to the prior.
        heads: attention heads (GAT only); the output layer uses one head.
        train_eps: learnable epsilon (GIN/GINE only).
        encode_inputs: embed inputs to ``hidden_channels`` before the first layer; always
            on for categorical (embedding / OGB) features.
    """

    hidden_channels: int = 64
    num_layers: int = 2
    dropout: float = 0.5
    layer_dropout: bool = True
    norm: Literal["none", "batch", "layer"] = "none"
    pool: Literal["add", "mean", "max"] = "mean"
    jk: Literal["last", "cat"] = "last"
    heads: int = 1
    train_eps: bool = False
    encode_inputs: bool = False

    def __post_init__(self) -> None:
        if self.name not in CONVS:
            raise ValueError(f"MPNNConfig.name must be one of {CONVS}, got {self.name!r}")
        if self.num_layers < 1 or self.hidden_channels < 1 or self.heads < 1:
            raise ValueError("num_layers, hidden_channels and heads must be >= 1")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError("dropout must be in [0, 1)")


def _mlp(in_channels: int, out_channels: int, norm: bool) -> nn.Sequential:
    layers: list[nn.Module] = [nn.Linear(in_channels, out_channels)]
    if norm:
        layers.append(nn.BatchNorm1d(out_channels))
    layers += [nn.ReLU(), nn.Linear(out_channels, out_channels)]
    return nn.Sequential(*layers)


class MPNN(nn.Module):
    """A stack of one kind of PyG message-passing layer with optional encoders and readout.

    Node level: the last layer maps straight to ``out_channels`` (classic GCN/GAT).
    Graph level: all layers are hidden, then ``pool`` and a 2-layer MLP head.

    Args:
        conv: one of ``mlp, gcn, sage, gin, gine, gat``.
        in_channels: input width after the node encoder (or raw width without one).
        hidden_channels, out_channels, num_layers, dropout: as usual.
        layer_dropout: apply ``dropout`` before every layer, not only in the head.
        level: ``node`` or ``graph``.
        norm, pool, jk, heads, train_eps: see :class:`MPNNConfig`.
        node_encoder: module applied to ``x`` first (its width must be ``in_channels``).
        edge_encoder: module applied to ``edge_attr`` (GINE/GAT); output ``hidden_channels``.

    Shapes:
        ``data.x [N, *]``, ``data.edge_index [2, E]`` -> ``[N, out]`` (node) or ``[G, out]`` (graph)
    """

    def __init__(
        self,
        conv: str,
        in_channels: int,
        hidden_channels: int,
        out_channels: int,
        num_layers: int = 2,
        dropout: float = 0.5,
        layer_dropout: bool = True,
        level: str = "node",
        norm: str = "none",
        pool: str = "mean",
        jk: str = "last",
        heads: int = 1,
        train_eps: bool = False,
        node_encoder: Optional[nn.Module] = None,
        edge_encoder: Optional[nn.Module] = None,
    ) -> None:
        super().__init__()
        if conv not in CONVS:
            raise ValueError(f"unknown conv {conv!r}; valid: {', '.join(CONVS)}")
        if level not in ("node", "graph"):
            raise ValueError(f"level must be 'node' or 'graph', got {level!r}")
        self.conv, self.level, self.jk = conv, level, jk
        self.dropout = dropout if layer_dropout else 0.0
        self.pool = _POOLS[pool]
        self.node_encoder = node_encoder
        self.edge_encoder = edge_encoder
        node_head = level == "node"
        # GAT's hidden layers concatenate their heads
        hidden_width = hidden_channels * heads if conv == "gat" else hidden_channels
        widths = [in_channels] + [hidden_width] * num_layers
        if node_head:
            widths[-1] = out_channels
        self.convs = nn.ModuleList()
        self.norms = nn.ModuleList()
        for i in range(num_layers):
            last = i == num_layers - 1
            out = out_channels if (node_head and last) else hidden_channels
            self.convs.append(self._make_conv(conv, widths[i], out, heads, last and node_head,
                                              train_eps, norm != "none", hidden_channels))
            if not (node_head and last):
                self.norms.append(norm_resolver(norm, widths[i + 1]))
        if level == "graph":
            readout = sum(widths[1:]) if jk == "cat" else widths[-1]
            self.head = nn.Sequential(
                nn.Linear(readout, hidden_channels), nn.ReLU(), FastDropout(dropout),
                nn.Linear(hidden_channels, out_channels),
            )

    @staticmethod
    def _make_conv(conv, in_ch, out_ch, heads, is_output, train_eps, mlp_norm, edge_dim):
        if conv == "mlp":
            return nn.Linear(in_ch, out_ch)
        if conv == "gcn":
            return GCNConv(in_ch, out_ch, cached=False)
        if conv == "sage":
            return SAGEConv(in_ch, out_ch)
        if conv == "gin":
            return GINConv(_mlp(in_ch, out_ch, mlp_norm), train_eps=train_eps)
        if conv == "gine":
            return GINEConv(_mlp(in_ch, out_ch, mlp_norm), train_eps=train_eps, edge_dim=edge_dim)
        # GAT: hidden layers concatenate heads, the output layer averages a single head
        if is_output:
            return GATConv(in_ch, out_ch, heads=1, edge_dim=None)
        return GATConv(in_ch, out_ch, heads=heads, edge_dim=None)

    def _layer(self, i: int, x, edge_index: Tensor, edge_attr: Optional[Tensor], size=None) -> Tensor:
        """Layer ``i`` on ``x`` (a tensor, or a (source, target) pair for bipartite chunks)."""
        conv = self.convs[i]
        if self.conv == "mlp":
            h = conv(x[1] if isinstance(x, tuple) else x)
        elif self.conv == "gine":
            h = conv(x, edge_index, edge_attr, size=size)
        elif size is not None:
            h = conv(x, edge_index, size=size)
        else:
            h = conv(x, edge_index)
        if i < len(self.norms):
            h = F.relu(self.norms[i](h))
        return h

    def _encode(self, data: Data) -> tuple[Tensor, Optional[Tensor]]:
        x = data.x
        if self.node_encoder is not None:
            x = self.node_encoder(x)
        edge_attr = getattr(data, "edge_attr", None)
        if self.conv == "gine":
            if edge_attr is None or self.edge_encoder is None:
                raise ValueError("GINE needs edge features (edge_attr) and an edge encoder")
            edge_attr = self.edge_encoder(edge_attr)
        return x.float(), edge_attr

    def forward(self, data: Data) -> Tensor:
        x, edge_attr = self._encode(data)
        readouts = []
        for i in range(len(self.convs)):
            x = fast_dropout(x, p=self.dropout, training=self.training)
            x = self._layer(i, x, data.edge_index, edge_attr)
            readouts.append(x)
        if self.level == "node":
            return x
        batch = getattr(data, "batch", None)
        if batch is None:
            batch = torch.zeros(x.size(0), dtype=torch.long, device=x.device)
        size = getattr(data, "num_graphs", None)
        feats = readouts if self.jk == "cat" else [x]
        h = torch.cat([self.pool(f, batch, size) for f in feats], dim=-1)  # [G, readout]
        return self.head(h)

    @torch.no_grad()
    def inference(self, data: Data, chunk_size: int = 65536) -> Tensor:
        """Full-graph node outputs computed layer by layer over chunks of target nodes,
        so memory holds one layer's ``[N, hidden]`` matrix plus one chunk's edges
        instead of every layer's activations (the large-graph evaluation of GraphSAGE).
        Layers that aggregate from bipartite (source, target) pairs support this:
        ``mlp``, ``sage``, ``gin``; the others run one ordinary forward pass.
        """
        if self.level != "node" or self.conv not in ("mlp", "sage", "gin"):
            return self(data)
        x, _ = self._encode(data)
        n = x.size(0)
        dst_all = data.edge_index[1]
        order = torch.argsort(dst_all)
        src_sorted = data.edge_index[0].index_select(0, order)
        rowptr = torch.zeros(n + 1, dtype=torch.long, device=x.device)
        torch.cumsum(torch.bincount(dst_all, minlength=n), 0, out=rowptr[1:])
        for i in range(len(self.convs)):
            outs = []
            for start in range(0, n, chunk_size):
                end = min(start + chunk_size, n)
                lo, hi = int(rowptr[start]), int(rowptr[end])
                deg = rowptr[start + 1:end + 1] - rowptr[start:end]
                dst = torch.repeat_interleave(torch.arange(end - start, device=x.device), deg)
                edge_index = torch.stack([src_sorted[lo:hi], dst])  # [2, E_chunk], bipartite
                outs.append(self._layer(i, (x, x[start:end]), edge_index, None, size=(n, end - start)))
            x = torch.cat(outs)  # [N, width of layer i]
        return x


def build_mpnn(cfg: MPNNConfig, inputs: ModelInputs) -> MPNN:
    """Turns the config and the data's sizes into an :class:`MPNN`."""
    categorical = inputs.node_encoder != "linear"
    encode = cfg.encode_inputs or categorical or inputs.num_features == 0
    node_encoder = None
    in_channels = inputs.num_features
    if encode:
        node_encoder = FeatureEncoder(
            inputs.node_encoder, cfg.hidden_channels, inputs.num_features, inputs.num_node_types
        )
        in_channels = cfg.hidden_channels
    edge_encoder = None
    if cfg.name == "gine":
        if inputs.edge_encoder is None:
            raise ValueError("model gine needs edge features; the dataset has none")
        edge_encoder = FeatureEncoder(
            inputs.edge_encoder, cfg.hidden_channels, inputs.num_edge_features,
            inputs.num_edge_types,
        )
    return MPNN(
        conv=cfg.name, in_channels=in_channels, hidden_channels=cfg.hidden_channels,
        out_channels=inputs.out_channels, num_layers=cfg.num_layers, dropout=cfg.dropout,
        layer_dropout=cfg.layer_dropout,
        level=inputs.level, norm=cfg.norm, pool=cfg.pool,
        jk=cfg.jk, heads=cfg.heads, train_eps=cfg.train_eps, node_encoder=node_encoder,
        edge_encoder=edge_encoder,
    )
