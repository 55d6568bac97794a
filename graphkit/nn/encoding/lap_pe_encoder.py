"""Embeds precomputed Laplacian eigenvectors with a sign-invariant-in-expectation set encoder."""

from __future__ import annotations

from typing import Optional

import torch
from torch import Tensor, nn


class LapPEEncoder(nn.Module):
    """Laplacian positional encoding (LapPE) as in GraphGPS / SAN
    (`Kreuzer et al. <https://arxiv.org/abs/2106.03893>`_).

    Each node has ``k`` (eigenvector entry, eigenvalue) pairs. Every pair is projected to
    a token, the ``k`` tokens are encoded by a ``deepset`` (shared MLP) or a
    ``transformer`` over the frequencies, masked where the graph has fewer than ``k``
    eigenvectors, and summed. During training the sign of every eigenvector is flipped at
    random (one draw per eigenvector index per mini-batch), since eigenvectors are only
    defined up to sign.

    Args:
        num_freqs: ``k``, the number of eigenvectors stored in ``data.lap_pe``.
        out_channels: encoding width (GraphGPS's ``dim_pe``).
        model: ``deepset`` (default) or ``transformer``.
        num_layers: layers of the token encoder (default 2).
        heads: attention heads of the ``transformer`` model (default 1); must divide
            ``out_channels``.
        post_layers: MLP layers after the sum (default 0).
        norm: ``batch`` applies BatchNorm to the raw (vector, value) pairs, or ``none``.
        sign_flip: random sign flips while training (default True).

    Shapes:
        ``eigvecs [N, k]`` (NaN or zero where missing), optional ``eigvals [N, k]`` or
        ``[N, k, 1]`` -> ``[N, out_channels]``. Without eigenvalues, 0 is used.
        ``edge_index`` is accepted and ignored (the signature of :class:`SignNetEncoder`).
    """

    def __init__(
        self,
        num_freqs: int,
        out_channels: int,
        model: str = "deepset",
        num_layers: int = 2,
        heads: int = 1,
        post_layers: int = 0,
        norm: str = "none",
        sign_flip: bool = True,
    ) -> None:
        super().__init__()
        if model not in ("deepset", "transformer"):
            raise ValueError(f"model must be 'deepset' or 'transformer', got {model!r}")
        if norm not in ("batch", "none"):
            raise ValueError(f"norm must be 'batch' or 'none', got {norm!r}")
        if num_layers < 1:
            raise ValueError("num_layers must be >= 1")
        self.model, self.sign_flip, self.num_freqs = model, sign_flip, num_freqs
        self.raw_norm = nn.BatchNorm1d(num_freqs) if norm == "batch" else None
        if model == "transformer":
            self.token_proj = nn.Linear(2, out_channels)
            layer = nn.TransformerEncoderLayer(
                out_channels, heads, dim_feedforward=2 * out_channels, dropout=0.0,
                batch_first=True,
            )
            self.token_encoder: nn.Module = nn.TransformerEncoder(
                layer, num_layers, enable_nested_tensor=False,
            )
        else:
            # GraphGPS's DeepSet: Linear(2, 2d) -> ReLU -> [Linear(2d, 2d) -> ReLU]* -> Linear(2d, d) -> ReLU
            width = out_channels if num_layers == 1 else 2 * out_channels
            self.token_proj = nn.Linear(2, width)
            layers: list[nn.Module] = [nn.ReLU()]
            for _ in range(num_layers - 2):
                layers += [nn.Linear(width, width), nn.ReLU()]
            if num_layers > 1:
                layers += [nn.Linear(width, out_channels), nn.ReLU()]
            self.token_encoder = nn.Sequential(*layers)
        post: list[nn.Module] = []
        for _ in range(post_layers):
            post += [nn.Linear(out_channels, out_channels), nn.ReLU()]
        self.post = nn.Sequential(*post)

    def forward(self, eigvecs: Tensor, eigvals: Optional[Tensor] = None,
                edge_index: Optional[Tensor] = None) -> Tensor:
        eigvecs = eigvecs.float()
        if eigvals is None:
            eigvals = torch.zeros_like(eigvecs)
        eigvals = eigvals.float().reshape(eigvecs.shape)
        missing = torch.isnan(eigvecs)  # [N, k]
        if self.training and self.sign_flip:
            sign = torch.randint(0, 2, (1, eigvecs.size(1)), device=eigvecs.device) * 2 - 1
            eigvecs = eigvecs * sign
        tokens = torch.stack([eigvecs, eigvals], dim=-1)  # [N, k, 2]
        tokens = torch.nan_to_num(tokens, nan=0.0)
        if self.raw_norm is not None:
            tokens = self.raw_norm(tokens)
        tokens = self.token_proj(tokens)  # [N, k, d]
        if self.model == "transformer":
            # a node with no eigenvector at all would have every key masked: keep slot 0
            key_mask = missing.clone()
            key_mask[:, 0] = False
            tokens = self.token_encoder(tokens, src_key_padding_mask=key_mask)
        else:
            tokens = self.token_encoder(tokens)
        tokens = tokens.masked_fill(missing.unsqueeze(-1), 0.0)
        return self.post(tokens.sum(dim=1))  # [N, d]
