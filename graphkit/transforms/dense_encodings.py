"""Dense, batched kernels of the positional / structural encodings: graphs of equal size
stacked as ``[B, N, N]`` and encoded with batched ``torch.linalg.eigh`` / ``bmm``."""

from __future__ import annotations

import torch
from torch import Tensor


def laplacian_pe_dense(adjacency: Tensor, k: int) -> tuple[Tensor, Tensor]:
    """Eigenvectors 1..k (ascending eigenvalue, the first skipped) of the symmetric
    normalized Laplacian :math:`I - D^{-1/2} A D^{-1/2}` of each symmetric ``adjacency``;
    NaN-padded when ``N - 1 < k`` (GraphGPS's convention: the LapPE encoder masks the
    missing eigenvectors instead of encoding zeros as if they were real); each vector's first entry of largest magnitude
    (within 1e-6, so ties do not flip on round-off) is positive.

    Shapes:
        ``adjacency`` ``[B, N, N]`` -> vectors ``[B, N, k]``, eigenvalues ``[B, k]`` (float32).
    """
    batch, n, _ = adjacency.shape
    adjacency = adjacency.double()
    deg = adjacency.sum(-1)
    inv_sqrt = torch.where(deg > 0, deg.clamp(min=1e-12).rsqrt(), torch.zeros_like(deg))
    laplacian = (torch.eye(n, dtype=torch.float64)
                 - inv_sqrt.unsqueeze(-1) * adjacency * inv_sqrt.unsqueeze(-2))
    values, vectors = torch.linalg.eigh(laplacian)  # ascending
    found = min(k, n - 1)
    values, vectors = values[:, 1:found + 1], vectors[:, :, 1:found + 1]  # [B, f], [B, N, f]
    magnitude = vectors.abs()
    pivot = (magnitude >= magnitude.amax(dim=1, keepdim=True) - 1e-6).double().argmax(dim=1)
    sign = torch.where(vectors.gather(1, pivot.unsqueeze(1)) < 0, -1.0, 1.0)  # [B, 1, f]
    out_vectors = torch.full((batch, n, k), float("nan"))
    out_values = torch.full((batch, k), float("nan"))
    out_vectors[:, :, :found] = (vectors * sign).float()
    out_values[:, :found] = values.clamp(min=0).float()
    return out_vectors, out_values


def random_walk_se_dense(walk: Tensor, steps: int) -> Tensor:
    """Return probabilities ``diag(P^t)`` for ``t = 1..steps`` of each walk matrix ``P``.

    Shapes:
        ``walk`` ``[B, N, N]`` (row-stochastic, or zero rows) -> ``[B, N, steps]``.
    """
    out, power = [], walk
    for step in range(steps):
        if step:
            power = torch.bmm(power, walk)
        out.append(torch.diagonal(power, dim1=1, dim2=2))
    return torch.stack(out, dim=-1)
