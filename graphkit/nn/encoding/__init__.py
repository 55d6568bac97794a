"""Input encoders: raw node/edge features, and positional/structural encodings (RWSE, LapPE)."""

from __future__ import annotations

from torch import nn

from graphkit.nn.encoding.feature_encoder import FeatureEncoder
from graphkit.nn.encoding.lap_pe_encoder import LapPEEncoder
from graphkit.nn.encoding.rwse_encoder import RWSEEncoder
from graphkit.nn.encoding.sign_net_encoder import SignNetEncoder

LAP_MODELS = ("deepset", "transformer", "signnet")


def lap_encoder_resolver(model: str, in_channels: int, out_channels: int, *, num_layers: int = 2,
                         heads: int = 1, norm: str = "none", phi_hidden: int = 64,
                         phi_out: int = 4, rho_layers: int = 3) -> nn.Module:
    """A Laplacian-eigenvector encoder by name.

    Args:
        model: ``deepset`` / ``transformer`` (:class:`LapPEEncoder`, random sign flips in
            training) or ``signnet`` (:class:`SignNetEncoder`, sign invariant).
        in_channels: number of eigenvectors ``k``.
        num_layers: encoder layers (SignNet: GIN layers of ``phi``).
        heads, norm: of :class:`LapPEEncoder`.
        phi_hidden, phi_out, rho_layers: of :class:`SignNetEncoder`.
    """
    if model == "signnet":
        return SignNetEncoder(in_channels, out_channels, phi_layers=num_layers,
                              phi_hidden=phi_hidden, phi_out=phi_out, rho_layers=rho_layers)
    if model in ("deepset", "transformer"):
        return LapPEEncoder(in_channels, out_channels, model=model, num_layers=num_layers,
                            heads=heads, norm=norm)
    raise ValueError(f"unknown lap_model {model!r}; valid: {', '.join(LAP_MODELS)}")


__all__ = ["LAP_MODELS", "FeatureEncoder", "LapPEEncoder", "RWSEEncoder", "SignNetEncoder",
           "lap_encoder_resolver"]
