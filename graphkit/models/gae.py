"""Graph auto-encoder link predictors: a GCN / GraphSAGE encoder with a dot-product or
MLP (Hadamard product) decoder.

Kipf & Welling, Variational Graph Auto-Encoders: https://arxiv.org/abs/1611.07308
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Optional

from torch import Tensor, nn

from graphkit.config.run_config import ModelConfig
from graphkit.models.model_inputs import ModelInputs
from graphkit.models.ncn import link_input_channels
from graphkit.nn.link.link_encoder import LINK_CONVS, LinkEncoder


@dataclass(frozen=True)
class GAEConfig(ModelConfig):
    """Args:
    conv: encoder layer: ``gcn``, ``sage`` or a parameter-free ``pure*`` propagation.
    hidden_channels, num_layers: encoder width and depth.
    dropout: between encoder layers (and after the input map of ``pure*``).
    input_dropout, tail_dropout, layer_norm, residual, jk: see :class:`LinkEncoder`.
    decoder: ``dot`` (inner product) or ``mlp`` (MLP of the Hadamard product).
    decoder_layers, decoder_dropout, decoder_layer_norm: the MLP decoder.
    target_link_removal: drop each training batch's edges from the input graph.
    predictor_lr_scale: the decoder's learning rate is ``optim.lr`` times this.
    """

    conv: str = "gcn"
    hidden_channels: int = 256
    num_layers: int = 2
    dropout: float = 0.5
    input_dropout: float = 0.0
    tail_dropout: float = 0.0
    layer_norm: bool = False
    residual: bool = False
    jk: bool = False
    decoder: Literal["dot", "mlp"] = "dot"
    decoder_layers: int = 3
    decoder_dropout: float = 0.0
    decoder_layer_norm: bool = False
    target_link_removal: bool = False
    predictor_lr_scale: float = 1.0

    def __post_init__(self) -> None:
        if self.conv not in LINK_CONVS:
            raise ValueError(f"model.conv must be one of {LINK_CONVS}, got {self.conv!r}")
        if self.hidden_channels < 1 or self.num_layers < 0 or self.decoder_layers < 1:
            raise ValueError("model.hidden_channels and decoder_layers must be >= 1, "
                             "num_layers >= 0")
        for key in ("dropout", "input_dropout", "tail_dropout", "decoder_dropout"):
            if not 0.0 <= getattr(self, key) < 1.0:
                raise ValueError(f"model.{key} must be in [0, 1), got {getattr(self, key)}")


def _mlp_decoder(channels: int, num_layers: int, dropout: float, layer_norm: bool) -> nn.Sequential:
    layers: list[nn.Module] = []
    for _ in range(num_layers - 1):
        layers.append(nn.Linear(channels, channels))
        if layer_norm:
            layers.append(nn.LayerNorm(channels))
        layers += [nn.Dropout(dropout), nn.ReLU()]
    layers.append(nn.Linear(channels, 1))
    return nn.Sequential(*layers)


class GAE(nn.Module):
    """Encoder + decoder of the pair ``(h_i, h_j)``; same interface as :class:`NCN`.

    Args:
        encoder: ``encoder(x, adj) -> [N, hidden]``.
        decoder: ``None`` for the inner product ``<h_i, h_j>``, or a module applied to
            ``h_i * h_j`` returning ``[B, 1]``.
        target_link_removal, predictor_lr_scale: as in :class:`NCN`.

    Shapes:
        ``x [N, F]`` or ``None``, ``adj [N, N]`` CSR, ``edge_label_index [2, B]`` -> ``[B]``
    """

    def __init__(self, encoder: nn.Module, decoder: Optional[nn.Module] = None, *,
                 target_link_removal: bool = False, predictor_lr_scale: float = 1.0) -> None:
        super().__init__()
        self.encoder, self.decoder = encoder, decoder
        self.target_link_removal = target_link_removal
        self.predictor_lr_scale = predictor_lr_scale

    def encode(self, x: Optional[Tensor], adj: Tensor) -> Tensor:
        return self.encoder(x, adj)

    def predict(self, h: Tensor, adj: Tensor, edge_label_index: Tensor) -> Tensor:
        pair = h[edge_label_index[0]] * h[edge_label_index[1]]  # [B, hidden]
        if self.decoder is None:
            return pair.sum(-1)
        return self.decoder(pair).view(-1)

    def forward(self, x: Optional[Tensor], adj: Tensor, edge_label_index: Tensor) -> Tensor:
        return self.predict(self.encode(x, adj), adj, edge_label_index)

    def param_groups(self, lr: float) -> list[dict]:
        groups = [{"params": list(self.encoder.parameters()), "lr": lr}]
        if self.decoder is not None:
            groups.append({"params": list(self.decoder.parameters()),
                           "lr": lr * self.predictor_lr_scale})
        return groups


def build_gae(cfg: GAEConfig, inputs: ModelInputs) -> GAE:
    in_channels, num_embeddings = link_input_channels(inputs)
    encoder = LinkEncoder(
        in_channels, cfg.hidden_channels, num_layers=cfg.num_layers, conv=cfg.conv,
        dropout=cfg.dropout, input_dropout=cfg.input_dropout, tail_dropout=cfg.tail_dropout,
        layer_norm=cfg.layer_norm, residual=cfg.residual, jk=cfg.jk,
        num_embeddings=num_embeddings,
    )
    decoder = None
    if cfg.decoder == "mlp":
        decoder = _mlp_decoder(cfg.hidden_channels, cfg.decoder_layers, cfg.decoder_dropout,
                               cfg.decoder_layer_norm)
    return GAE(encoder, decoder, target_link_removal=cfg.target_link_removal,
               predictor_lr_scale=cfg.predictor_lr_scale)
