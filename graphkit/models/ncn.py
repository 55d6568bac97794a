"""NCN, NCNC and NCN2 link predictors: an MPNN run once, then a pairwise predictor.

Neural Common Neighbor with Completion for Link Prediction, Wang, Yang & Zhang,
ICLR 2024: https://arxiv.org/abs/2302.00890
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from torch import Tensor, nn

from graphkit.config.run_config import ModelConfig
from graphkit.models.model_inputs import ModelInputs
from graphkit.nn.link.link_encoder import LINK_CONVS, LinkEncoder
from graphkit.nn.link.ncn_predictor import NCN_VARIANTS, NCNPredictor


@dataclass(frozen=True)
class NCNConfig(ModelConfig):
    """Hyper-parameters of NCN / NCNC / NCN2 (``name``); defaults are the paper's Cora run.

    The reference code's flag for each key is given in brackets.

    Args:
        hidden_channels: embedding and MLP width [hiddim].
        num_layers: encoder propagation steps [mplayers].
        conv: encoder layer, see :class:`LinkEncoder` [model].
        input_dropout, encoder_dropout, tail_dropout, encoder_edge_dropout: encoder
            dropouts [xdp, gnndp, tdp, gnnedp].
        layer_norm, residual, jk: encoder options [ln, res, jk].
        predictor_dropout, predictor_edge_dropout: predictor dropouts [predp, preedp].
        predictor_layer_norm, use_xlin, tail_act, two_layer_lin, beta: predictor options
            [lnnn, use_xlin, tailact, twolayerlin, beta].
        completion_alpha, completion_scale, completion_offset, completion_pt: NCNC's
            calibration [alpha, probscale, proboffset, pt]; unused by NCN.
        target_link_removal: drop each training batch's edges from the input graph [maskinput].
        predictor_lr_scale: the predictor's learning rate is ``optim.lr`` times this (the
            paper's [prelr] / [gnnlr]); the encoder's is ``optim.lr`` [gnnlr].
    """

    hidden_channels: int = 256
    num_layers: int = 1
    conv: str = "puregcn"
    input_dropout: float = 0.7
    encoder_dropout: float = 0.05
    tail_dropout: float = 0.3
    encoder_edge_dropout: float = 0.0
    layer_norm: bool = True
    residual: bool = False
    jk: bool = True
    predictor_dropout: float = 0.05
    predictor_edge_dropout: float = 0.4
    predictor_layer_norm: bool = True
    use_xlin: bool = True
    tail_act: bool = True
    two_layer_lin: bool = False
    beta: float = 1.0
    completion_alpha: float = 1.0
    completion_scale: float = 4.3
    completion_offset: float = 2.8
    completion_pt: float = 0.75
    target_link_removal: bool = True
    predictor_lr_scale: float = 1.0

    def __post_init__(self) -> None:
        if self.name not in NCN_VARIANTS:
            raise ValueError(f"NCNConfig.name must be one of {NCN_VARIANTS}, got {self.name!r}")
        if self.conv not in LINK_CONVS:
            raise ValueError(f"model.conv must be one of {LINK_CONVS}, got {self.conv!r}")
        if self.hidden_channels < 1 or self.num_layers < 0:
            raise ValueError("model.hidden_channels must be >= 1 and model.num_layers >= 0")
        for key in ("input_dropout", "encoder_dropout", "tail_dropout", "encoder_edge_dropout",
                    "predictor_dropout", "predictor_edge_dropout"):
            if not 0.0 <= getattr(self, key) < 1.0:
                raise ValueError(f"model.{key} must be in [0, 1), got {getattr(self, key)}")
        if not self.predictor_lr_scale > 0:
            raise ValueError(f"model.predictor_lr_scale must be > 0, got {self.predictor_lr_scale}")


class NCN(nn.Module):
    """Encoder + pairwise predictor, the link-model interface of
    :class:`graphkit.tasks.link_prediction.LinkPredictionTask`.

    Args:
        encoder: node encoder, ``encoder(x, adj) -> [N, hidden]``.
        predictor: ``predictor(h, adj, edge_label_index) -> [B]`` logits.
        target_link_removal: asks the task to drop the training batch's edges from the
            input graph (default ``True``).
        predictor_lr_scale: the predictor's learning rate relative to the optimizer's
            (:meth:`param_groups`).

    Shapes:
        ``x [N, F]`` or ``None``, ``adj [N, N]`` CSR, ``edge_label_index [2, B]`` -> ``[B]``
    """

    def __init__(self, encoder: nn.Module, predictor: nn.Module, *,
                 target_link_removal: bool = True, predictor_lr_scale: float = 1.0) -> None:
        super().__init__()
        self.encoder, self.predictor = encoder, predictor
        self.target_link_removal = target_link_removal
        self.predictor_lr_scale = predictor_lr_scale

    def encode(self, x: Optional[Tensor], adj: Tensor) -> Tensor:
        return self.encoder(x, adj)

    def predict(self, h: Tensor, adj: Tensor, edge_label_index: Tensor) -> Tensor:
        return self.predictor(h, adj, edge_label_index)

    def forward(self, x: Optional[Tensor], adj: Tensor, edge_label_index: Tensor) -> Tensor:
        return self.predict(self.encode(x, adj), adj, edge_label_index)

    def param_groups(self, lr: float) -> list[dict]:
        """Separate learning rates for the encoder and the predictor, as in the paper."""
        return [
            {"params": list(self.encoder.parameters()), "lr": lr},
            {"params": list(self.predictor.parameters()), "lr": lr * self.predictor_lr_scale},
        ]


def link_input_channels(inputs: ModelInputs) -> tuple[int, Optional[int]]:
    """(input width, number of per-node embeddings) of a link model: featureless graphs
    (ogbl-ddi) get one learnable vector per node."""
    if inputs.num_nodes is not None:
        return 0, inputs.num_nodes
    return inputs.num_features, None


def build_ncn(cfg: NCNConfig, inputs: ModelInputs) -> NCN:
    in_channels, num_embeddings = link_input_channels(inputs)
    encoder = LinkEncoder(
        in_channels, cfg.hidden_channels, num_layers=cfg.num_layers, conv=cfg.conv,
        dropout=cfg.encoder_dropout, input_dropout=cfg.input_dropout,
        tail_dropout=cfg.tail_dropout, edge_dropout=cfg.encoder_edge_dropout,
        layer_norm=cfg.layer_norm, residual=cfg.residual, jk=cfg.jk,
        num_embeddings=num_embeddings,
    )
    predictor = NCNPredictor(
        cfg.hidden_channels, cfg.hidden_channels, dropout=cfg.predictor_dropout,
        edge_dropout=cfg.predictor_edge_dropout, layer_norm=cfg.predictor_layer_norm,
        use_xlin=cfg.use_xlin, tail_act=cfg.tail_act, two_layer_lin=cfg.two_layer_lin,
        beta=cfg.beta, variant=cfg.name, completion_alpha=cfg.completion_alpha,
        completion_scale=cfg.completion_scale, completion_offset=cfg.completion_offset,
        completion_pt=cfg.completion_pt,
    )
    return NCN(encoder, predictor, target_link_removal=cfg.target_link_removal,
               predictor_lr_scale=cfg.predictor_lr_scale)
