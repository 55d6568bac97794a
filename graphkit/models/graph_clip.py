"""GraphCLIP's graph encoder: GPS over a centre-marked subgraph, read out into text space.

Zhu et al., "GraphCLIP: Enhancing Transferability in Graph Foundation Models for
Text-Attributed Graphs", WWW 2025, https://arxiv.org/abs/2410.10329
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, Optional

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch_geometric.data import Batch
from torch_geometric.nn import global_mean_pool

from graphkit.config.run_config import ModelConfig
from graphkit.models.model_inputs import ModelInputs
from graphkit.nn.attention import PaddedBatch, check_global_model
from graphkit.nn.conv import check_local_conv, reads_edge_features
from graphkit.nn.encoding import RWSEEncoder
from graphkit.nn.layers import GPSLayer


@dataclass(frozen=True)
class GraphCLIPConfig(ModelConfig):
    """Config of :class:`GraphCLIP` (``model.name: graphclip``).

    Args:
        hidden_channels: GPS width (default 128).
        num_layers: GPS layers (default 2).
        local_conv: GPS local branch (default ``gcn``; the convs that read edge features,
            edge features (``graphkit.nn.conv.reads_edge_features``), get a learned dummy edge feature).
        global_model: GPS global branch (default ``transformer``; subgraphs are small).
        heads: attention heads; must divide ``hidden_channels``.
        dropout, attn_dropout: GPS dropouts (default 0.1, 0.1).
        rwse_channels: width of the random-walk PE (default 16; 0 = off).
        text_skip: add the mean and the centre of the input text embeddings to the
            projected readout (default true). The projection's last layer starts at
            zero, so training starts from the training-free propagated-text embedding
            instead of noise: short CPU budgets then only improve on it.
        init_temperature: CLIP's initial softmax temperature (default 0.07).
    """

    hidden_channels: int = 128
    num_layers: int = 2
    local_conv: str = "gcn"  # a registered local conv built without a degree histogram, or none
    global_model: Literal["transformer", "performer", "none"] = "transformer"
    heads: int = 4
    dropout: float = 0.1
    attn_dropout: float = 0.1
    rwse_channels: int = 16
    text_skip: bool = True
    init_temperature: float = 0.07

    def __post_init__(self) -> None:
        check_local_conv(self.local_conv, degrees=False)
        check_global_model(self.global_model)
        if min(self.hidden_channels, self.num_layers, self.heads) < 1:
            raise ValueError("model.hidden_channels, num_layers and heads must be >= 1")
        if self.hidden_channels % self.heads:
            raise ValueError(f"model.hidden_channels ({self.hidden_channels}) must be divisible by model.heads ({self.heads})")
        if not 0 <= self.rwse_channels < self.hidden_channels:
            raise ValueError("model.rwse_channels must be in [0, hidden_channels)")
        if not 0.0 < self.init_temperature < 1.0:
            raise ValueError("model.init_temperature must be in (0, 1)")


class GraphCLIP(nn.Module):
    """Maps a batch of subgraphs (text-embedding node features, centre marked) to
    unit-norm embeddings in the text encoder's space, and holds CLIP's learnable
    temperature (``logit_scale``).

    Args:
        in_channels: text embedding width (node features and output).
        hidden_channels, num_layers, heads, dropout, attn_dropout: GPS settings.
        local_conv, global_model: GPS branches.
        rwse_steps: steps of ``data.rwse`` (0 = no PE).
        rwse_channels: RWSE encoding width.
        text_skip: see :class:`GraphCLIPConfig`.
        init_temperature: initial temperature.

    Shapes:
        ``data.x [n, in]``, ``data.rwse [n, steps]``, ``data.center_mask [n]``,
        ``data.center_index [B]``, ``prompt [in]`` (optional, added to ``x``),
        ``delta [n, in]`` (optional perturbation) -> ``[B, in]``
    """

    def __init__(self, in_channels: int, hidden_channels: int = 128, num_layers: int = 2,
                 local_conv: str = "gcn", global_model: str = "transformer", heads: int = 4,
                 dropout: float = 0.1, attn_dropout: float = 0.1, rwse_steps: int = 0,
                 rwse_channels: int = 16, text_skip: bool = True, init_temperature: float = 0.07):
        super().__init__()
        self.in_channels, self.text_skip = in_channels, text_skip
        pe = rwse_channels if rwse_steps > 0 and rwse_channels > 0 else 0
        self.node_encoder = nn.Linear(in_channels, hidden_channels - pe)
        self.rwse_encoder = RWSEEncoder(rwse_steps, pe) if pe else None
        self.center_embedding = nn.Parameter(torch.zeros(hidden_channels))
        self.layers = nn.ModuleList(
            GPSLayer(hidden_channels, local_conv=local_conv, global_model=global_model, heads=heads,
                     dropout=dropout, attn_dropout=attn_dropout, norm="layer")
            for _ in range(num_layers))
        self.needs_edges = reads_edge_features(local_conv)
        self.dummy_edge = nn.Parameter(torch.randn(1, hidden_channels)) if self.needs_edges else None
        self.readout = nn.Sequential(nn.Linear(2 * hidden_channels, hidden_channels), nn.GELU(),
                                     nn.Linear(hidden_channels, in_channels))
        if text_skip:
            nn.init.zeros_(self.readout[-1].weight)
            nn.init.zeros_(self.readout[-1].bias)
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1.0 / init_temperature)))

    def forward(self, data: Batch, prompt: Optional[Tensor] = None, delta: Optional[Tensor] = None) -> Tensor:
        x = data.x
        if prompt is not None:
            x = x + prompt
        if delta is not None:
            x = x + delta
        parts = [self.node_encoder(x)]
        if self.rwse_encoder is not None:
            parts.append(self.rwse_encoder(data.rwse))
        h = torch.cat(parts, -1) if len(parts) > 1 else parts[0]  # [n, hidden]
        h = h + data.center_mask.unsqueeze(-1).to(h.dtype) * self.center_embedding
        num_graphs = data.center_index.numel()
        padded = PaddedBatch.from_batch(data.batch, h.size(0), num_graphs)
        edge_attr = self.dummy_edge.expand(data.edge_index.size(1), -1) if self.needs_edges else None
        for layer in self.layers:
            h, edge_attr = layer(h, data.edge_index, edge_attr, data.batch, padded)
        pooled = global_mean_pool(h, data.batch, num_graphs)  # [B, hidden]
        out = self.readout(torch.cat([pooled, h[data.center_index]], -1))  # [B, in]
        if self.text_skip:
            out = out + global_mean_pool(x, data.batch, num_graphs) + x[data.center_index]
        return F.normalize(out, dim=-1)

    def scale(self) -> Tensor:
        """CLIP's ``exp(logit_scale)``, clamped at 100."""
        return self.logit_scale.exp().clamp(max=100.0)


def build_graph_clip(cfg: GraphCLIPConfig, inputs: ModelInputs) -> GraphCLIP:
    """``inputs.num_features`` is the text width (also the output width); ``inputs.rwse_dim``
    the random-walk PE steps of the subgraphs."""
    if inputs.out_channels != inputs.num_features:
        raise ValueError(f"graphclip embeds into its input text space: out_channels "
                         f"({inputs.out_channels}) must equal num_features ({inputs.num_features})")
    return GraphCLIP(
        in_channels=inputs.num_features, hidden_channels=cfg.hidden_channels, num_layers=cfg.num_layers,
        local_conv=cfg.local_conv, global_model=cfg.global_model, heads=cfg.heads,
        dropout=cfg.dropout, attn_dropout=cfg.attn_dropout, rwse_steps=inputs.rwse_dim,
        rwse_channels=cfg.rwse_channels, text_skip=cfg.text_skip,
        init_temperature=cfg.init_temperature)
