"""The encoder of graph contrastive learning (GRACE, GCA): a stack of GCN layers with an
activation after every layer, and the two-layer projection head the contrastive loss
reads.

- GRACE: Zhu et al., Deep Graph Contrastive Representation Learning, https://arxiv.org/abs/2006.04131
- GCA: Zhu et al., Graph Contrastive Learning with Adaptive Augmentation, https://arxiv.org/abs/2010.14945
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Optional

import torch.nn.functional as F
from torch import Tensor, nn
from torch_geometric.data import Data
from torch_geometric.nn import GCNConv
from torch_geometric.nn.conv.gcn_conv import gcn_norm

from graphkit.config.run_config import ModelConfig
from graphkit.models.model_inputs import ModelInputs


@dataclass(frozen=True)
class GCLEncoderConfig(ModelConfig):
    """``model.name: gcl_gcn``.

    Args:
        hidden_channels: embedding width (GRACE's ``num_hidden``); inner layers are twice as wide.
        num_layers: GCN layers (>= 1).
        activation: ``relu`` or ``prelu`` (one learned slope), after every layer.
        projection_channels: hidden width of the projection head (``num_proj_hidden``).
    """

    name: str = "gcl_gcn"
    hidden_channels: int = 128
    num_layers: int = 2
    activation: Literal["relu", "prelu"] = "relu"
    projection_channels: int = 128

    def __post_init__(self) -> None:
        if self.hidden_channels < 1 or self.num_layers < 1 or self.projection_channels < 1:
            raise ValueError("model.hidden_channels, num_layers and projection_channels must be >= 1")


class GCLEncoder(nn.Module):
    """GCN encoder ``h = act(GCN_k(... act(GCN_1(x))))`` plus projection head
    ``z = fc2(elu(fc1(h)))`` (GRACE's). ``forward`` returns the embeddings ``h``, which
    the linear probe reads; the contrastive loss reads ``project(h)``.

    Args:
        in_channels: input feature width.
        hidden_channels: embedding width (inner layers: ``2 * hidden_channels``).
        num_layers: GCN layers.
        activation: ``relu`` or ``prelu``.
        projection_channels: projection head hidden width.

    Shapes:
        ``x [N, F]``, ``edge_index [2, E]`` -> ``[N, hidden_channels]``
    """

    def __init__(self, in_channels: int, hidden_channels: int, num_layers: int = 2,
                 activation: str = "relu", projection_channels: int = 128) -> None:
        super().__init__()
        widths = [in_channels] + [2 * hidden_channels] * (num_layers - 1) + [hidden_channels]
        self.convs = nn.ModuleList(GCNConv(widths[i], widths[i + 1]) for i in range(num_layers))
        if activation not in ("relu", "prelu"):
            raise ValueError(f"activation must be relu or prelu, got {activation!r}")
        self.prelu = nn.PReLU() if activation == "prelu" else None
        self.fc1 = nn.Linear(hidden_channels, projection_channels)
        self.fc2 = nn.Linear(projection_channels, hidden_channels)

    def act(self, x: Tensor) -> Tensor:
        return self.prelu(x) if self.prelu is not None else F.relu(x)

    def negative_slope(self) -> float:
        """Slope of the activation below zero (0 for ReLU, PReLU's learned one)."""
        return float(self.prelu.weight.detach().reshape(-1)[0]) if self.prelu is not None else 0.0

    def gcn_layers(self) -> list[tuple[Tensor, Tensor]]:
        """``(weight [in, out], bias [out])`` of each GCN layer, for bound propagation."""
        return [(conv.lin.weight.t(), conv.bias) for conv in self.convs]

    def encode(self, x: Tensor, edge_index: Tensor, first_product: Optional[Tensor] = None) -> Tensor:
        """Embeddings of one view. ``first_product``: ``x @ W_1`` when the caller has it
        already (POT's bounds start from it), so it is not computed twice. The GCN
        normalization is computed once for all layers (``GCNConv`` would redo it per layer)."""
        edge_index, norm = gcn_norm(edge_index, None, x.size(0), add_self_loops=True)
        for i, conv in enumerate(self.convs):
            product = first_product if (i == 0 and first_product is not None) else conv.lin(x)
            x = self.act(conv.propagate(edge_index, x=product, edge_weight=norm) + conv.bias)
        return x

    def project(self, h: Tensor) -> Tensor:
        return self.fc2(F.elu(self.fc1(h)))

    def forward(self, data: Data) -> Tensor:
        return self.encode(data.x.float(), data.edge_index)


def build_gcl_encoder(cfg: GCLEncoderConfig, inputs: ModelInputs) -> GCLEncoder:
    """The embedding width is the model's own: a contrastive task has no output width."""
    return GCLEncoder(inputs.num_features, cfg.hidden_channels, num_layers=cfg.num_layers,
                      activation=cfg.activation, projection_channels=cfg.projection_channels)
