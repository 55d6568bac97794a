"""Dir-GNN (Rossi et al., "Edge Directionality Improves Learning on Heterophilic Graphs",
LoG 2023, https://arxiv.org/abs/2305.10498): every layer aggregates in-neighbours and
out-neighbours with separate weights (PyG's ``DirGNNConv`` around a GCN or SAGE layer),
the direction-aware baseline beside ADPA."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch_geometric.data import Data
from torch_geometric.nn import DirGNNConv, GCNConv, SAGEConv

from graphkit.config.run_config import ModelConfig
from graphkit.models.model_inputs import ModelInputs


@dataclass(frozen=True)
class DirGNNConfig(ModelConfig):
    """Args:
    conv: the layer applied to each direction (``sage`` or ``gcn``).
    hidden_channels, num_layers, dropout: as usual.
    alpha: weight of the out-neighbour aggregation (1 - alpha for in-neighbours).
    jk: ``cat`` classifies the concatenation of every layer's output (Dir-GNN's jumping
        knowledge), ``last`` the last layer's.
    normalize: L2-normalize hidden features (Dir-GNN's default on heterophilous graphs).
    """

    conv: Literal["sage", "gcn"] = "sage"
    hidden_channels: int = 64
    num_layers: int = 2
    dropout: float = 0.5
    alpha: float = 0.5
    jk: Literal["last", "cat"] = "cat"
    normalize: bool = True

    def __post_init__(self) -> None:
        if self.hidden_channels < 1 or self.num_layers < 1:
            raise ValueError("model.hidden_channels and model.num_layers must be >= 1")
        if not 0.0 <= self.alpha <= 1.0 or not 0.0 <= self.dropout < 1.0:
            raise ValueError("model.alpha must be in [0, 1] and model.dropout in [0, 1)")


class DirGNN(nn.Module):
    """A stack of ``DirGNNConv`` layers with optional jumping knowledge.

    Shapes:
        ``data.x [N, F]``, ``data.edge_index [2, E]`` (directed) -> ``[N, out_channels]``
    """

    def __init__(self, in_channels: int, hidden_channels: int, out_channels: int, num_layers: int = 2,
                 dropout: float = 0.5, conv: str = "sage", alpha: float = 0.5, jk: str = "cat",
                 normalize: bool = True) -> None:
        super().__init__()
        make = {"sage": lambda i, o: SAGEConv(i, o), "gcn": lambda i, o: GCNConv(i, o, add_self_loops=False)}[conv]
        widths = [in_channels] + [hidden_channels] * num_layers
        self.convs = nn.ModuleList(DirGNNConv(make(widths[i], widths[i + 1]), alpha=alpha)
                                   for i in range(num_layers))
        self.head = nn.Linear(hidden_channels * (num_layers if jk == "cat" else 1), out_channels)
        self.dropout, self.jk, self.normalize = dropout, jk, normalize

    def forward(self, data: Data) -> Tensor:
        x, outs = data.x.float(), []
        for conv in self.convs:
            x = F.relu(conv(F.dropout(x, self.dropout, self.training), data.edge_index))
            if self.normalize:
                x = F.normalize(x, p=2, dim=1)
            outs.append(x)
        h = torch.cat(outs, dim=-1) if self.jk == "cat" else x
        return self.head(F.dropout(h, self.dropout, self.training))


def build_dir_gnn(cfg: DirGNNConfig, inputs: ModelInputs) -> DirGNN:
    """Turns the config and the data's sizes into a :class:`DirGNN`."""
    if inputs.level != "node":
        raise ValueError(f"dir_gnn is a node-level model; this task is {inputs.level}-level")
    return DirGNN(inputs.num_features, cfg.hidden_channels, inputs.out_channels, num_layers=cfg.num_layers,
                  dropout=cfg.dropout, conv=cfg.conv, alpha=cfg.alpha, jk=cfg.jk, normalize=cfg.normalize)
