import numpy as np
import pytest
import scipy.sparse as sp
import torch

from graphkit.embed import FastRP
from graphkit.embed.fastrp_kernel import fastrp_kernel

kernel = fastrp_kernel()
pytestmark = pytest.mark.skipif(kernel is None, reason="the FastRP CPU kernels cannot be built here")


def _panels(dense: np.ndarray) -> np.ndarray:
    n, d = dense.shape
    width = 64 // dense.dtype.itemsize
    panels = -(-d // width)
    padded = np.zeros((n, panels * width), dtype=dense.dtype)
    padded[:, :d] = dense
    return np.ascontiguousarray(padded.reshape(n, panels, width).transpose(1, 0, 2))


def _dense(panels: np.ndarray, d: int) -> np.ndarray:
    return panels.transpose(1, 0, 2).reshape(panels.shape[1], -1)[:, :d]


def _csr(matrix: sp.csr_matrix, index) -> tuple:
    return tuple(torch.from_numpy(np.ascontiguousarray(a, dtype=t))
                 for a, t in ((matrix.indptr, index), (matrix.indices, index), (matrix.data, matrix.dtype)))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("index", [np.int32, np.int64])
def test_kernel_products_match_scipy(dtype, index):
    rng = np.random.default_rng(0)
    a = sp.random(9, 7, density=0.4, format="csr", random_state=1, dtype=dtype)  # a row may be empty
    b = sp.random(7, 21, density=0.2, format="csr", random_state=2, dtype=dtype)
    x = rng.normal(size=(7, 21)).astype(dtype)  # 21 columns: a partial last panel
    out = np.full(_panels(np.zeros((9, 21), dtype)).shape, np.nan, dtype=dtype)
    kernel.csr_dense(*_csr(a, index), torch.from_numpy(_panels(x)), torch.from_numpy(out))
    np.testing.assert_allclose(_dense(out, 21), a @ x, rtol=1e-5, atol=1e-6)
    kernel.csr_csr_dense(*_csr(a, index), *_csr(b, index), torch.from_numpy(out))
    np.testing.assert_allclose(_dense(out, 21), (a @ b).toarray(), rtol=1e-5, atol=1e-6)


def test_kernel_add_scaled_rows_normalizes_each_row():
    block = np.array([[3.0, 4.0, 0.0], [0.0, 0.0, 0.0], [1.0, 0.0, 0.0]], dtype=np.float32)
    total = _panels(np.ones((3, 3), dtype=np.float32))
    kernel.add_scaled_rows(torch.from_numpy(_panels(block)), torch.from_numpy(total), 2.0, True)
    np.testing.assert_allclose(_dense(total, 3), [[2.2, 2.6, 1.0], [1.0, 1.0, 1.0], [3.0, 1.0, 1.0]], rtol=1e-6)
    kernel.add_scaled_rows(torch.from_numpy(_panels(block)), torch.from_numpy(total), 0.5, False)
    np.testing.assert_allclose(_dense(total, 3), [[3.7, 4.6, 1.0], [1.0, 1.0, 1.0], [3.5, 1.0, 1.0]], rtol=1e-6)


@pytest.mark.parametrize("options", [
    {},
    {"self_influence": 0.5, "l2_normalize": False, "dtype": "float64"},
    {"property_ratio": 0.5, "projection": "gaussian", "normalization_strength": -0.5},
])
def test_fastrp_kernel_path_matches_scipy_path(monkeypatch, options):
    rng = np.random.default_rng(3)
    adjacency = sp.random(40, 40, density=0.15, format="csr", random_state=4)
    adjacency = sp.csr_matrix(adjacency + adjacency.T)  # a node may be isolated
    x = rng.normal(size=(40, 5))
    params = {"iteration_weights": (0.0, 1.0, 2.0), "random_state": 0, **options}
    ours = FastRP(20, **params).fit_transform(adjacency, x=x)
    monkeypatch.setenv("GRAPHKIT_FASTRP_KERNEL", "scipy")
    fastrp_kernel.cache_clear()
    try:
        reference = FastRP(20, **params).fit_transform(adjacency, x=x)
    finally:
        fastrp_kernel.cache_clear()
    assert ours.dtype == reference.dtype and ours.shape == (40, 20)
    np.testing.assert_allclose(ours, reference, rtol=1e-5, atol=1e-6)
