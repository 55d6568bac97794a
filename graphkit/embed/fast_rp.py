"""FastRP: node embeddings from very sparse random projections of powers of the transition matrix."""

from __future__ import annotations

import numbers
import warnings
from typing import Any, Literal, Optional, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator

from graphkit.embed.adjacency import as_adjacency
from graphkit.embed.fastrp_kernel import fastrp_kernel
from graphkit.embed.random_projection import PROJECTIONS, random_projection_matrix
from graphkit.errors import GraphkitWarning, InvalidInputError, InvalidInputTypeError

_DTYPES = ("float32", "float64")


class FastRP(BaseEstimator):
    """Fast Random Projection node embeddings (Chen et al., CIKM 2019).

    Paper: https://arxiv.org/abs/1908.11512

    With ``A`` the weighted adjacency, ``D`` its out-degrees, ``S = D^-1 A`` the transition
    matrix and ``R`` a random ``[N, d]`` projection, the embedding is::

        N_1 = S (D^beta R),  N_i = S N_{i-1}
        E   = sum_i alpha_i * norm(N_i) + self_influence * norm(D^beta R)

    where ``norm`` L2-normalizes rows when ``l2_normalize`` (the propagation itself uses the
    unnormalized ``N_i``, as the authors' reference code does). Computation is sparse
    matrix times dense ``[N, d]`` block, in ``dtype``, holding at most three such blocks,
    on compiled CPU kernels (:mod:`graphkit.embed.fastrp_kernel`; torch's intra-op
    threads, ``torch.set_num_threads``) or, where they cannot be built, scipy's products.

    Args:
        n_components: embedding dimension ``d`` (default 128).
        iteration_weights: ``alpha_1 .. alpha_k``, one per power of ``S`` (default
            ``(0.0, 1.0, 1.0)``, Neo4j GDS's). The paper's BlogCatalog setting is
            ``(0.0, 0.0, 1.0, 6.67)``.
        normalization_strength: ``beta``, exponent of the degree scaling of the projection
            (default 0.0; the paper tunes it in ``[-1, 0]``). Nodes without out-edges are
            scaled as if their degree were 1, which keeps negative ``beta`` finite.
        projection: ``very_sparse`` (``s = sqrt(N)``, the paper's), ``sparse`` (``s = 3``,
            GDS's), ``gaussian``, or a fixed ``[N, d]`` array / sparse matrix (its columns
            set ``d``; replaces the random draw, for experiments needing the same ``R``).
        l2_normalize: L2-normalize every ``N_i`` (and the self term) before weighting
            (default True).
        self_influence: weight of each node's own projected vector (default 0.0).
        property_ratio: share of the ``d`` dimensions whose initial vectors are a random
            projection of node features ``x`` instead of random (default 0.0; GDS's
            ``propertyRatio``); needs ``x`` in ``fit``.
        random_state: seed or ``numpy.random.Generator`` (default None).
        dtype: ``float32`` (default) or ``float64``.

    Attributes:
        embedding_: ``[N, d]`` array, row ``i`` embeds node ``i``.
    """

    def __init__(
        self,
        n_components: int = 128,
        *,
        iteration_weights: Sequence[float] = (0.0, 1.0, 1.0),
        normalization_strength: float = 0.0,
        projection: Any = "very_sparse",
        l2_normalize: bool = True,
        self_influence: float = 0.0,
        property_ratio: float = 0.0,
        random_state: Any = None,
        dtype: Any = "float32",
    ) -> None:
        self.n_components = n_components
        self.iteration_weights = iteration_weights
        self.normalization_strength = normalization_strength
        self.projection = projection
        self.l2_normalize = l2_normalize
        self.self_influence = self_influence
        self.property_ratio = property_ratio
        self.random_state = random_state
        self.dtype = dtype

    def fit(
        self, graph: Any, y: Any = None, *, x: Any = None, num_nodes: Optional[int] = None,
        layout: Literal["auto", "adjacency", "edge_index"] = "auto",
    ) -> "FastRP":
        """Embeds every node of ``graph``.

        Args:
            graph: sparse or dense ``[N, N]`` adjacency, PyG ``Data``, integer
                ``edge_index`` tensor or networkx graph (see
                :func:`graphkit.embed.adjacency.as_adjacency`); directed and weighted
                graphs are used as given.
            y: ignored (scikit-learn signature).
            x: node features ``[N, F]`` for ``property_ratio > 0`` (default: ``graph.x``).
            num_nodes: node count for an ``edge_index``.
            layout: how a 2-D array is read: ``auto`` (default: an integer torch tensor
                ``[2, E]`` is an ``edge_index``, anything else an adjacency),
                ``adjacency`` or ``edge_index``.

        Raises:
            ValueError / TypeError (:class:`~graphkit.errors.InvalidInputError`,
            :class:`~graphkit.errors.InvalidInputTypeError`): bad parameters or input.

        Warns:
            GraphkitWarning (a UserWarning): some nodes get all-zero embeddings (nothing
            to propagate from: no out-edges, isolated nodes) and ``self_influence`` is 0.
        """
        dtype, weights = self._validate_params()
        adjacency = as_adjacency(graph, num_nodes, layout)
        n = adjacency.shape[0]
        if n == 0:
            raise InvalidInputError("graph has no nodes")
        rng = np.random.default_rng(self.random_state)

        degree = np.asarray(adjacency.sum(axis=1), dtype=np.float64).ravel()
        transition = _row_scaled(adjacency, np.divide(1.0, degree, out=np.zeros_like(degree), where=degree > 0), dtype)
        initial = self._initial_vectors(n, graph, x, rng, dtype)  # [N, d], sparse or dense
        if self.normalization_strength != 0.0:
            scale = np.power(np.where(degree > 0, degree, 1.0), self.normalization_strength)
            initial = _row_scaled(initial, scale, dtype) if sp.issparse(initial) else _scale_rows(initial, scale)

        kernel = fastrp_kernel()
        if kernel is None:
            embedding = self._propagate_scipy(transition, initial, weights, dtype)
        else:
            embedding = self._propagate_panels(kernel, transition, initial, weights, dtype)
        zero = int(np.count_nonzero(~embedding.any(axis=1)))
        if zero:
            sinks = int(np.count_nonzero(degree == 0))
            warnings.warn(
                f"{zero} of {n} nodes have an all-zero embedding ({sinks} have no out-edges: sinks of a "
                f"directed graph or isolated nodes); set self_influence > 0 to give every node its own "
                f"vector, or symmetrize the graph", GraphkitWarning, stacklevel=2)
        self.embedding_ = embedding
        return self

    def __sklearn_tags__(self):  # scikit-learn >= 1.6
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True  # scipy sparse adjacencies are the main input
        tags.input_tags.pairwise = True  # X is a square [N, N] node-by-node matrix
        tags.input_tags.positive_only = True  # edge weights must be >= 0
        tags.input_tags.allow_nan = False
        tags.target_tags.required = False  # y is ignored
        return tags

    def fit_transform(self, graph: Any, y: Any = None, **fit_params: Any) -> np.ndarray:
        """``fit(graph, ...)`` and return ``embedding_`` ``[N, d]``."""
        return self.fit(graph, y, **fit_params).embedding_

    def _validate_params(self) -> tuple[np.dtype, list[float]]:
        dtype = _as_dtype(self.dtype)
        if isinstance(self.projection, str):
            if self.projection not in PROJECTIONS:
                raise InvalidInputError(f"projection must be one of {', '.join(PROJECTIONS)} or a matrix, got {self.projection!r}")
            if not isinstance(self.n_components, numbers.Integral) or self.n_components < 1:
                raise InvalidInputError(f"n_components must be a positive integer, got {self.n_components!r}")
        elif not (sp.issparse(self.projection) or isinstance(self.projection, np.ndarray)):
            raise InvalidInputTypeError(f"projection must be one of {', '.join(PROJECTIONS)} or a matrix, got {type(self.projection).__name__}")
        try:
            weights = [float(w) for w in self.iteration_weights]
        except (TypeError, ValueError):
            raise InvalidInputError(f"iteration_weights must be a sequence of numbers, got {self.iteration_weights!r}") from None
        if not weights or not np.isfinite(weights).all():
            raise InvalidInputError(f"iteration_weights must be a non-empty sequence of finite numbers, got {self.iteration_weights!r}")
        while weights and weights[-1] == 0.0:
            weights.pop()  # powers after the last weighted one do not contribute
        for name in ("normalization_strength", "self_influence", "property_ratio"):
            value = getattr(self, name)
            if not isinstance(value, numbers.Real) or not np.isfinite(value):
                raise InvalidInputError(f"{name} must be a finite number, got {value!r}")
        if not weights and self.self_influence == 0.0:
            raise InvalidInputError("all iteration_weights and self_influence are 0: the embedding would be 0")
        if not 0.0 <= self.property_ratio <= 1.0:
            raise InvalidInputError(f"property_ratio must be in [0, 1], got {self.property_ratio!r}")
        if self.property_ratio > 0 and not isinstance(self.projection, str):
            raise InvalidInputError("property_ratio > 0 needs a random projection kind, not a fixed matrix")
        if not isinstance(self.l2_normalize, (bool, np.bool_)):
            raise InvalidInputTypeError(f"l2_normalize must be a bool, got {self.l2_normalize!r}")
        return dtype, weights

    def _initial_vectors(
        self, n: int, graph: Any, x: Any, rng: np.random.Generator, dtype: np.dtype
    ) -> sp.csr_matrix | np.ndarray:
        if not isinstance(self.projection, str):
            if self.projection.shape[0] != n:
                raise InvalidInputError(f"projection has {self.projection.shape[0]} rows for {n} nodes")
            # A copy: the degree scaling works in place and must not touch the caller's matrix.
            return sp.csr_matrix(self.projection, dtype=dtype, copy=True) if sp.issparse(self.projection) else np.array(self.projection, dtype=dtype)
        d = int(self.n_components)
        d_features = int(round(self.property_ratio * d))
        if d_features == 0:
            return random_projection_matrix(n, d, self.projection, rng, dtype)
        features = _features(graph if x is None else x, n, from_graph=x is None)
        out = np.zeros((n, d), dtype=dtype)
        if d_features < d:
            random_part = random_projection_matrix(n, d - d_features, self.projection, rng, dtype)
            out[:, : d - d_features] = random_part.toarray() if sp.issparse(random_part) else random_part
        mixing = random_projection_matrix(features.shape[1], d_features, self.projection, rng, dtype)
        out[:, d - d_features :] = _dense(features @ mixing, dtype)  # [N, F] @ [F, d_features]
        return out

    def _propagate_scipy(self, transition: sp.csr_matrix, initial: Any, weights: list[float],
                         dtype: np.dtype) -> np.ndarray:
        """The propagation on scipy's products (when the CPU kernels cannot be built)."""
        embedding = None
        if self.self_influence != 0.0:
            own = initial.toarray() if sp.issparse(initial) else initial.copy()
            embedding = self._weighted(own, self.self_influence)
        current = _dense(transition @ initial, dtype) if weights else None  # [N, d]
        for i, alpha in enumerate(weights):
            following = transition @ current if i + 1 < len(weights) else None
            if alpha != 0.0:
                # `current` is no longer needed: it is scaled in place and added (or adopted).
                part = self._weighted(current, alpha)
                embedding = part if embedding is None else _add(embedding, part)
            current = following
        return embedding

    def _propagate_panels(self, kernel: Any, transition: sp.csr_matrix, initial: Any, weights: list[float],
                          dtype: np.dtype) -> np.ndarray:
        """The propagation on the CPU kernels, with ``[N, d]`` blocks stored as
        ``[d / W, N, W]`` panels of 64 bytes (see ``csrc/fastrp_cpu.cpp``)."""
        import torch

        n, d = initial.shape
        width = 64 // dtype.itemsize
        panels = -(-d // width)  # d rounded up to whole panels; the padding columns stay 0
        index = np.int64 if max(transition.nnz, n) >= 2**31 else np.int32
        a = tuple(torch.from_numpy(arr) for arr in _csr_arrays(transition, index))

        def new_block() -> np.ndarray:
            return np.zeros((panels, n, width), dtype=dtype)

        def to_panels(dense: np.ndarray) -> np.ndarray:
            block = new_block()
            for p in range(panels):
                block[p, :, : min(width, d - p * width)] = dense[:, p * width: (p + 1) * width]
            return block

        total = new_block()
        if self.self_influence != 0.0:
            own = to_panels(initial.toarray() if sp.issparse(initial) else initial)
            kernel.add_scaled_rows(torch.from_numpy(own), torch.from_numpy(total), float(self.self_influence),
                                   bool(self.l2_normalize))
            del own
        if weights:
            current, following = new_block(), new_block()
            if sp.issparse(initial):
                r = tuple(torch.from_numpy(arr) for arr in _csr_arrays(initial, index))
                kernel.csr_csr_dense(*a, *r, torch.from_numpy(current))
            else:
                kernel.csr_dense(*a, torch.from_numpy(to_panels(initial)), torch.from_numpy(current))
            for i, alpha in enumerate(weights):
                if alpha != 0.0:
                    kernel.add_scaled_rows(torch.from_numpy(current), torch.from_numpy(total), float(alpha),
                                           bool(self.l2_normalize))
                if i + 1 < len(weights):
                    kernel.csr_dense(*a, torch.from_numpy(current), torch.from_numpy(following))
                    current, following = following, current
            del current, following
        return np.ascontiguousarray(total.transpose(1, 0, 2).reshape(n, panels * width)[:, :d])

    def _weighted(self, block: np.ndarray, alpha: float) -> np.ndarray:
        """``alpha * norm(block)``, computed in place in ``block``."""
        if self.l2_normalize:
            norms = np.sqrt(np.einsum("ij,ij->i", block, block))
            factor = np.divide(alpha, norms, out=np.zeros_like(norms), where=norms > 0)
            block *= factor[:, None]
        else:
            block *= block.dtype.type(alpha)
        return block


def _as_dtype(value: Any) -> np.dtype:
    try:
        dtype = np.dtype(value)
    except TypeError:
        dtype = None
    if dtype is None or dtype.name not in _DTYPES:
        raise InvalidInputError(f"dtype must be one of {', '.join(_DTYPES)}, got {value!r}")
    return dtype


def _row_scaled(matrix: sp.spmatrix, scale: np.ndarray, dtype: np.dtype) -> sp.csr_matrix:
    """``diag(scale) @ matrix`` as a new CSR in ``dtype``, sharing the index arrays."""
    csr = sp.csr_matrix(matrix)
    data = np.repeat(scale.astype(dtype), np.diff(csr.indptr)) * csr.data.astype(dtype, copy=False)
    return sp.csr_matrix((data, csr.indices, csr.indptr), shape=csr.shape)


def _csr_arrays(matrix: sp.spmatrix, index: type) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    csr = sp.csr_matrix(matrix)
    return (np.ascontiguousarray(csr.indptr, dtype=index), np.ascontiguousarray(csr.indices, dtype=index),
            np.ascontiguousarray(csr.data))


def _scale_rows(block: np.ndarray, scale: np.ndarray) -> np.ndarray:
    block *= scale.astype(block.dtype)[:, None]
    return block


def _dense(matrix: Any, dtype: np.dtype) -> np.ndarray:
    if sp.issparse(matrix):
        return matrix.toarray()
    return np.ascontiguousarray(matrix, dtype=dtype)


def _add(total: np.ndarray, part: np.ndarray) -> np.ndarray:
    total += part
    return total


def _features(source: Any, n: int, from_graph: bool) -> Any:
    features = getattr(source, "x", None) if from_graph else source
    if features is None:
        raise InvalidInputError("property_ratio > 0 needs node features: pass x= to fit or a graph with .x")
    if hasattr(features, "detach"):
        features = features.detach().cpu().numpy()
    if not sp.issparse(features):
        features = np.asarray(features, dtype=np.float64)
        if features.ndim == 1:
            features = features[:, None]
    if features.ndim != 2 or features.shape[0] != n:
        raise InvalidInputError(f"node features must have shape [{n}, F], got {list(features.shape)}")
    return features
