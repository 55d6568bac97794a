"""Embeds precomputed random-walk structural encodings (RWSE)."""

from __future__ import annotations

from torch import Tensor, nn


class RWSEEncoder(nn.Module):
    """Maps each node's random-walk return probabilities ``[P_ii^1 .. P_ii^k]`` to a
    ``out_channels``-wide encoding that is concatenated to the node features
    (`Dwivedi et al. <https://arxiv.org/abs/2110.07875>`_; GraphGPS's ``RWSE`` encoder).

    Args:
        in_channels: number of walk steps ``k`` stored in ``data.rwse``.
        out_channels: encoding width (GraphGPS's ``dim_pe``).
        norm: ``batch`` normalises the raw probabilities with BatchNorm first (the
            GraphGPS default, their scale shrinks quickly with ``k``) or ``none``.
        model: ``linear`` (one linear map, as in GraphGPS's configs) or ``mlp``
            (two layers with ReLU).

    Shapes:
        ``rwse [N, k]`` -> ``[N, out_channels]``
    """

    def __init__(
        self, in_channels: int, out_channels: int, norm: str = "batch", model: str = "linear",
    ) -> None:
        super().__init__()
        if norm not in ("batch", "none"):
            raise ValueError(f"norm must be 'batch' or 'none', got {norm!r}")
        if model not in ("linear", "mlp"):
            raise ValueError(f"model must be 'linear' or 'mlp', got {model!r}")
        self.norm = nn.BatchNorm1d(in_channels) if norm == "batch" else nn.Identity()
        if model == "linear":
            self.encoder: nn.Module = nn.Linear(in_channels, out_channels)
        else:
            self.encoder = nn.Sequential(
                nn.Linear(in_channels, 2 * out_channels), nn.ReLU(),
                nn.Linear(2 * out_channels, out_channels), nn.ReLU(),
            )

    def forward(self, rwse: Tensor) -> Tensor:
        return self.encoder(self.norm(rwse.float()))
