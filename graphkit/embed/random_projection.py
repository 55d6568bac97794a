"""Random projection matrices for FastRP: very sparse (Li et al.), sparse (Achlioptas), Gaussian.

Sparse kinds draw entries ``+sqrt(s / d)`` and ``-sqrt(s / d)`` with probability ``1 / (2s)``
each and 0 otherwise, the scaling of scikit-learn's ``SparseRandomProjection`` so that
embeddings are on the reference implementation's scale; Gaussian entries are
``N(0, 1 / d)``.
"""

from __future__ import annotations

import math

import numpy as np
import scipy.sparse as sp

PROJECTIONS = ("very_sparse", "sparse", "gaussian")

# Rows drawn per chunk for dense kinds: bounds the float temporaries to a few MB.
_CHUNK_ROWS = 16384


def projection_sparsity(kind: str, n_rows: int) -> float:
    """``s`` of a sparse projection: ``sqrt(n_rows)`` for ``very_sparse`` (Li et al. 2006,
    the FastRP paper), 3 for ``sparse`` (Achlioptas 2003, Neo4j GDS)."""
    if kind == "very_sparse":
        return max(1.0, math.sqrt(n_rows))
    if kind == "sparse":
        return 3.0
    raise ValueError(f"projection {kind!r} has no sparsity; sparse kinds: very_sparse, sparse")


def random_projection_matrix(
    n_rows: int, n_components: int, kind: str, rng: np.random.Generator, dtype: np.dtype
) -> sp.csr_matrix | np.ndarray:
    """A random ``[n_rows, n_components]`` projection.

    Args:
        n_rows: rows (nodes, or input features).
        n_components: columns (embedding dimensions).
        kind: ``very_sparse`` (returned as CSR), ``sparse`` or ``gaussian`` (dense).
        rng: source of randomness.
        dtype: floating dtype of the result.
    """
    if kind == "gaussian":
        out = np.empty((n_rows, n_components), dtype=dtype)
        for start in range(0, n_rows, _CHUNK_ROWS):
            block = out[start : start + _CHUNK_ROWS]
            block[...] = rng.standard_normal(block.shape, dtype=np.float32 if dtype == np.float32 else np.float64)
        out *= dtype.type(1.0 / math.sqrt(n_components))
        return out
    s = projection_sparsity(kind, n_rows)
    value = math.sqrt(s / n_components)
    if kind == "sparse":
        return _dense_sign_matrix(n_rows, n_components, 1.0 / s, value, rng, dtype)
    return _sparse_sign_matrix(n_rows, n_components, 1.0 / s, value, rng, dtype)


def _dense_sign_matrix(
    n_rows: int, n_cols: int, density: float, value: float, rng: np.random.Generator, dtype: np.dtype
) -> np.ndarray:
    out = np.zeros((n_rows, n_cols), dtype=dtype)
    for start in range(0, n_rows, _CHUNK_ROWS):
        block = out[start : start + _CHUNK_ROWS]
        u = rng.random(block.shape, dtype=np.float32)
        block[u < density / 2] = value
        block[(u >= density / 2) & (u < density)] = -value
    return out


def _sparse_sign_matrix(
    n_rows: int, n_cols: int, density: float, value: float, rng: np.random.Generator, dtype: np.dtype
) -> sp.csr_matrix:
    total = n_rows * n_cols
    # Each entry is nonzero independently with probability `density`, so the gaps between
    # consecutive nonzeros (in row-major order) are geometric: O(nnz) work, no n x d draw.
    expected = total * density
    batch = int(expected + 6.0 * math.sqrt(expected) + 64)
    positions = []
    last = -1
    while last < total:
        flat = np.cumsum(rng.geometric(density, size=batch)) + last
        positions.append(flat)
        last = int(flat[-1])
    flat = np.concatenate(positions)
    flat = flat[: np.searchsorted(flat, total)]
    rows = flat // n_cols
    cols = (flat - rows * n_cols).astype(np.int32)
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n_rows), out=indptr[1:])
    signs = np.where(rng.random(flat.size) < 0.5, value, -value).astype(dtype)
    return sp.csr_matrix((signs, cols, indptr), shape=(n_rows, n_cols))
