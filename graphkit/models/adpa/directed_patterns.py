"""ADPA's directed pattern operators, applied without ever forming a pattern matrix.

A pattern is a word over ``{A, Aᵀ}`` (``A·Aᵀ`` = ``A @ Aᵀ``); order 1 adds self-loops
(``A + I``, ``Aᵀ + I``) as the reference code does. Each pattern ``M`` is normalized as
``D^(r-1) M D^(-r)`` with ``D`` its row sums (zero rows stay zero). ``A`` is the binary
adjacency of ``edge_index`` with ``A[u, v] = 1`` for an edge ``u -> v`` (duplicates and
self-loops dropped), so ``A x`` sums over out-neighbours.

The reference materializes every second-order product (``A @ Aᵀ`` ...), whose number of
entries grows with the square of the degrees (tolokers: 27.5M for ``A·Aᵀ`` against 0.5M
edges). Here ``M x`` is evaluated right to left, one sparse product per letter, and the
row sums of ``M`` are ``M 1`` evaluated the same way: memory stays ``O(E + N F)`` and the
result is the same matrix product.
"""

from __future__ import annotations

import itertools
import warnings

import torch
from torch import Tensor


def pattern_words(order: int) -> list[tuple[str, ...]]:
    """Every word over ``("A", "At")`` of length 1..``order``, shortest first:
    order 2 -> A, At, A·A, A·At, At·A, At·At."""
    return [w for k in range(1, order + 1) for w in itertools.product(("A", "At"), repeat=k)]


def _csr(row: Tensor, col: Tensor, n: int, m: int | None = None, values: Tensor | None = None) -> Tensor:
    values = torch.ones(row.numel(), device=row.device) if values is None else values
    with warnings.catch_warnings():  # "sparse CSR support is in beta": CSR @ dense is all we use
        warnings.simplefilter("ignore", UserWarning)
        coo = torch.sparse_coo_tensor(torch.stack([row, col]), values, (n, n if m is None else m)).coalesce()
        return coo.to_sparse_csr()


def sparse_pair(x: Tensor) -> tuple[Tensor, Tensor]:
    """``(X, Xᵀ)`` of a dense ``[N, F]`` matrix as CSR, the arguments of :func:`sparse_product`."""
    row, col = x.nonzero().t()
    n, f = x.shape
    return _csr(row, col, n, f, x[row, col]), _csr(col, row, f, n, x[row, col])


class _SparseProduct(torch.autograd.Function):
    """``M @ x`` for a constant CSR ``M`` whose transpose is known: the backward pass is
    ``Mᵀ @ grad``, one more CSR product instead of transposing ``M`` on every call."""

    @staticmethod
    def forward(ctx, mat: Tensor, mat_t: Tensor, x: Tensor) -> Tensor:
        ctx.mat_t = mat_t
        return mat @ x

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[None, None, Tensor]:
        return None, None, ctx.mat_t @ grad


def sparse_product(mat: Tensor, mat_t: Tensor, x: Tensor) -> Tensor:
    """``mat @ x`` (CSR times dense), differentiable in ``x`` through ``mat_t = matᵀ``."""
    return _SparseProduct.apply(mat, mat_t, x) if x.requires_grad else mat @ x


class DirectedPatternPropagator:
    """Normalized directed pattern operators ``P_w = D^(r-1) M_w D^(-r)`` of one graph.

    Args:
        edge_index: directed edges ``[2, E]``.
        num_nodes: ``N``.
        order: longest pattern (1: ``A``, ``Aᵀ``; 2 adds ``A·A``, ``A·Aᵀ``, ``Aᵀ·A``, ``Aᵀ·Aᵀ``).
        r: normalization exponent (0.5: symmetric, 0 / 1: row / column).
    """

    def __init__(self, edge_index: Tensor, num_nodes: int, order: int = 2, r: float = 0.5) -> None:
        if order < 1:
            raise ValueError(f"order must be >= 1, got {order}")
        row, col = edge_index.long()
        keep = row != col
        keys = torch.unique(row[keep] * num_nodes + col[keep])
        row, col = keys // num_nodes, keys % num_nodes
        self.num_nodes, self.order, self.r = num_nodes, order, r
        self.words = pattern_words(order)
        self._mats = {"A": _csr(row, col, num_nodes), "At": _csr(col, row, num_nodes)}
        self._degree = {w: self._apply(w, torch.ones(num_nodes, 1, device=row.device)).view(-1)
                        for w in self.words}
        self.num_edges = int(row.numel())
        # [N, P, 1]: every pattern's left and right normalization, for propagate_all
        self._left = torch.stack([self._scale(self._degree[w], r - 1.0) for w in self.words], 1)
        self._right = torch.stack([self._scale(self._degree[w], -r) for w in self.words], 1)

    def _apply(self, word: tuple[str, ...], x: Tensor) -> Tensor:
        """``M_w x`` right to left; a single letter carries its self-loop."""
        transpose = {"A": "At", "At": "A"}
        for letter in reversed(word):
            out = sparse_product(self._mats[letter], self._mats[transpose[letter]], x)
            x = out + x if len(word) == 1 else out
        return x

    def _scale(self, degree: Tensor, power: float) -> Tensor:
        scale = degree.pow(power)
        scale[degree == 0] = 0.0
        return scale.unsqueeze(1)

    def propagate(self, word: tuple[str, ...], x: Tensor) -> Tensor:
        """``P_w x`` for features ``x [N, F]`` -> ``[N, F]``, differentiable in ``x``
        (on the device of ``edge_index``)."""
        degree = self._degree[word]
        return self._scale(degree, self.r - 1.0) * self._apply(word, self._scale(degree, -self.r) * x)

    def propagate_all(self, x: Tensor) -> Tensor:
        """``[P_w x_w for every pattern w]``: ``x [N, P, C]`` (``P`` = ``len(self.words)``,
        in their order) -> ``[N, P, C]``, differentiable in ``x``. Equal to :meth:`propagate`
        per pattern, with one sparse product per letter and position: the patterns whose
        ``j``-th letter from the right is ``A`` (or ``Aᵀ``) are multiplied side by side
        (order 2: 4 products instead of 10)."""
        n, p, c = x.shape
        current = list((x * self._right).unbind(1))  # [N, C] per pattern
        transpose = {"A": "At", "At": "A"}
        for j in range(self.order):
            for letter in ("A", "At"):
                group = [i for i, w in enumerate(self.words) if len(w) > j and w[-1 - j] == letter]
                if not group:
                    continue
                out = sparse_product(self._mats[letter], self._mats[transpose[letter]],
                                     torch.cat([current[i] for i in group], 1))  # [N, len(group) * C]
                for i, part in zip(group, out.split(c, dim=1)):
                    current[i] = part + current[i] if len(self.words[i]) == 1 else part
        return torch.stack(current, 1) * self._left

    def operator(self, word: tuple[str, ...]) -> Tensor:
        """The dense ``[N, N]`` matrix ``P_w``, for checks on small graphs only."""
        return self.propagate(word, torch.eye(self.num_nodes, device=self._mats["A"].device))
