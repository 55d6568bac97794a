"""SignNet: a sign-invariant encoder of Laplacian eigenvectors."""

from __future__ import annotations

from typing import Optional

import torch
from torch import Tensor, nn


class SignNetEncoder(nn.Module):
    """SignNet (`Lim et al. <https://arxiv.org/abs/2202.13013>`_) as GraphGPS's
    ``posenc_SignNet``: ``rho(concat_i [phi(v_i) + phi(-v_i)])`` over the ``k``
    eigenvectors ``v_i``, where ``phi`` is a GIN on the graph run on each eigenvector
    separately (shared weights; one input channel per node) and ``rho`` an MLP on the
    ``k`` concatenated outputs. ``phi(v) + phi(-v)`` is invariant to each eigenvector's
    sign, exactly rather than in expectation as random sign flips make it; the GIN
    keeps the encoding permutation equivariant. Missing eigenvectors (NaN, in graphs
    with fewer than ``k + 1`` nodes) contribute zeros.

    Args:
        num_freqs: ``k``, the number of eigenvectors stored in ``data.lap_pe``.
        out_channels: encoding width (GraphGPS's ``dim_pe``).
        phi_layers: GIN layers of ``phi`` (GraphGPS's ``layers``, 8 for ZINC).
        phi_hidden: width of ``phi``'s hidden layers (64).
        phi_out: ``phi``'s output width per eigenvector (4).
        rho_layers: layers of ``rho`` (GraphGPS's ``post_layers``, 3).

    Shapes:
        ``eigvecs [N, k]``, ``edge_index [2, E]`` -> ``[N, out_channels]``. Eigenvalues,
        if passed, are not used (as in GraphGPS's SignNet).
    """

    def __init__(self, num_freqs: int, out_channels: int, phi_layers: int = 8,
                 phi_hidden: int = 64, phi_out: int = 4, rho_layers: int = 3) -> None:
        super().__init__()
        if min(num_freqs, out_channels, phi_layers, phi_hidden, phi_out, rho_layers) < 1:
            raise ValueError("SignNetEncoder sizes and layer counts must be >= 1")
        self.eps = nn.Parameter(torch.zeros(phi_layers))  # GIN's learnable (1 + eps)
        self.phi = nn.ModuleList()
        self.norms = nn.ModuleList()
        width = 1
        for i in range(phi_layers):
            out = phi_out if i == phi_layers - 1 else phi_hidden
            self.phi.append(nn.Sequential(nn.Linear(width, phi_hidden), nn.ReLU(),
                                          nn.Linear(phi_hidden, out)))
            if i < phi_layers - 1:
                self.norms.append(nn.BatchNorm1d(out))
            width = out
        rho: list[nn.Module] = []
        width = num_freqs * phi_out
        for i in range(rho_layers):
            rho.append(nn.Linear(width, out_channels))
            if i < rho_layers - 1:
                rho.append(nn.ReLU())
            width = out_channels
        self.rho = nn.Sequential(*rho)

    def _phi(self, h: Tensor, src: Tensor, dst: Tensor) -> Tensor:
        """GIN over nodes (dim 0), each eigenvector (dim 1) on its own: ``[N, k, c]``."""
        for i, mlp in enumerate(self.phi):
            neighbours = torch.zeros_like(h).index_add_(0, dst, h.index_select(0, src))
            h = mlp((1.0 + self.eps[i]) * h + neighbours)
            if i < len(self.norms):
                h = torch.relu(self.norms[i](h.reshape(-1, h.size(-1))).view_as(h))
        return h

    def forward(self, eigvecs: Tensor, eigvals: Optional[Tensor] = None,
                edge_index: Optional[Tensor] = None) -> Tensor:
        if edge_index is None:
            raise ValueError("SignNetEncoder needs the graph's edge_index")
        eigvecs = eigvecs.float()
        missing = torch.isnan(eigvecs)  # [N, k]
        v = torch.nan_to_num(eigvecs, nan=0.0).unsqueeze(-1)  # [N, k, 1]
        src, dst = edge_index
        h = self._phi(v, src, dst) + self._phi(-v, src, dst)  # [N, k, phi_out]
        h = h.masked_fill(missing.unsqueeze(-1), 0.0)
        return self.rho(h.reshape(h.size(0), -1))
