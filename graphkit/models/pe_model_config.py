"""The positional/structural-encoding options shared by GraphGPS, Graph Mamba and every model
built on their encoder scaffold, defined once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from graphkit.config.run_config import ModelConfig


@dataclass(frozen=True)
class PEModelConfig(ModelConfig):
    """Base config of models that concatenate RWSE / LapPE encodings into their node
    embedding (:func:`graphkit.models.graph_gps.build_encoders`).

    Args:
        rwse_channels: width of the RWSE encoding, used when the data carry ``rwse``
            (``data.pe.rwse_steps > 0``); 0 ignores them.
        rwse_norm: ``batch`` or ``none`` on the raw RWSE.
        lap_channels: width of the LapPE encoding, used when the data carry ``lap_pe``
            (``data.pe.lap_dim > 0``); 0 ignores them.
        lap_model: ``deepset`` or ``transformer`` (:class:`LapPEEncoder`, random sign
            flips in training), or ``signnet`` (:class:`SignNetEncoder`, sign invariant by
            construction; ``lap_layers`` GIN layers in its ``phi``, ``signnet_*`` below).
        lap_layers: layers of the LapPE encoder.
        lap_heads: heads of the ``transformer`` LapPE encoder (must divide lap_channels).
        lap_norm: ``batch`` or ``none`` on the raw eigenvector/eigenvalue pairs.
        signnet_phi_hidden, signnet_phi_out, signnet_rho_layers: SignNet's ``phi`` width,
            ``phi`` output per eigenvector and ``rho`` layers (GraphGPS: 64, 4, 3).
    """

    rwse_channels: int = 16
    rwse_norm: Literal["batch", "none"] = "batch"
    lap_channels: int = 16
    lap_model: Literal["deepset", "transformer", "signnet"] = "deepset"
    lap_layers: int = 2
    lap_heads: int = 1
    lap_norm: Literal["batch", "none"] = "none"
    signnet_phi_hidden: int = 64
    signnet_phi_out: int = 4
    signnet_rho_layers: int = 3

    def __post_init__(self) -> None:
        if self.rwse_channels < 0 or self.lap_channels < 0:
            raise ValueError("model.rwse_channels and model.lap_channels must be >= 0")
        if min(self.lap_layers, self.lap_heads, self.signnet_phi_hidden, self.signnet_phi_out,
               self.signnet_rho_layers) < 1:
            raise ValueError("model.lap_layers, lap_heads and signnet_* must be >= 1")
        if self.lap_channels % self.lap_heads != 0:
            raise ValueError("model.lap_channels must be divisible by model.lap_heads")
