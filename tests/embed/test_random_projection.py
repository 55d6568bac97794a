import math

import numpy as np
import pytest
import scipy.sparse as sp

from graphkit.embed.random_projection import projection_sparsity, random_projection_matrix


def test_projection_sparsity_follows_the_papers():
    assert projection_sparsity("very_sparse", 10_000) == 100.0
    assert projection_sparsity("sparse", 10_000) == 3.0
    with pytest.raises(ValueError):
        projection_sparsity("gaussian", 10)


@pytest.mark.parametrize("kind, s", [("very_sparse", 100.0), ("sparse", 3.0)])
def test_random_projection_sparse_kinds_have_the_right_law(kind, s):
    n, d = 10_000, 64
    r = random_projection_matrix(n, d, kind, np.random.default_rng(0), np.dtype("float32"))
    assert sp.issparse(r) == (kind == "very_sparse")
    values = r.data if sp.issparse(r) else r[r != 0]
    value = math.sqrt(s / d)
    np.testing.assert_allclose(np.unique(np.abs(values)), [value], rtol=1e-6)
    density = values.size / (n * d)
    assert abs(density - 1 / s) < 5 * math.sqrt((1 / s) / (n * d))  # within 5 sigma
    assert abs((values > 0).mean() - 0.5) < 0.02
    # E[r^2] = 1/d per entry, so projections preserve squared norms in expectation.
    np.testing.assert_allclose((values.astype(np.float64) ** 2).sum() / (n * d), 1 / d, rtol=0.05)


def test_random_projection_gaussian_has_variance_one_over_d():
    r = random_projection_matrix(20_000, 16, "gaussian", np.random.default_rng(0), np.dtype("float64"))
    assert r.shape == (20_000, 16) and r.dtype == np.float64
    np.testing.assert_allclose(r.var(), 1 / 16, rtol=0.02)


def test_random_projection_very_sparse_rows_are_valid_csr():
    r = random_projection_matrix(1000, 32, "very_sparse", np.random.default_rng(1), np.dtype("float32"))
    assert r.shape == (1000, 32) and r.dtype == np.float32
    assert r.has_canonical_format
    assert r.indices.min() >= 0 and r.indices.max() < 32
