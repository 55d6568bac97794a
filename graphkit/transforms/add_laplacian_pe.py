"""Laplacian eigenvector positional encodings, NaN-padded to a fixed width."""

from __future__ import annotations

from typing import Optional

import numpy as np
import scipy.sparse
import scipy.sparse.csgraph
import scipy.sparse.linalg
import torch
from torch import Tensor
from torch_geometric.data import Data
from torch_geometric.transforms import BaseTransform
from torch_geometric.utils import get_laplacian, remove_self_loops, to_scipy_sparse_matrix, to_undirected

from graphkit.transforms.dense_encodings import laplacian_pe_dense

# Largest graph whose eigenvectors are computed densely when Lanczos does not converge
# (eigh of a 16k x 16k float64 matrix: 2 GB, a few minutes).
DENSE_FALLBACK_MAX_NODES = 16384


class AddLaplacianPE(BaseTransform):
    r"""Adds the ``k`` eigenvectors of the symmetric normalized Laplacian
    :math:`L = I - D^{-1/2} A D^{-1/2}` with the smallest eigenvalues after the first
    (`Benchmarking GNNs <https://arxiv.org/abs/2003.00982>`_, GraphGPS's ``LapPE``).

    Differs from PyG's ``AddLaplacianEigenvectorPE`` where that one does not fit a
    cached pre-transform: graphs with ``num_nodes <= k`` get NaN columns (as in GraphGPS,
    so that :class:`~graphkit.nn.encoding.lap_pe_encoder.LapPEEncoder` masks them) instead of an
    error, and signs are fixed deterministically (first entry of largest magnitude
    positive) rather than drawn at random once at processing time; random sign flipping belongs
    in training. Edges are symmetrized first. Isolated nodes have :math:`L_{ii} = 1`
    (PyG's ``get_laplacian``), so each contributes a unit vector with eigenvalue 1;
    each extra connected component contributes another zero-eigenvalue vector.

    Args:
        k: number of eigenvectors (output width).
        attr_name: node attribute to store them in. (default: ``"lap_pe"``)
        eigval_attr_name: node attribute for the matching eigenvalues, the same
            ``k`` values repeated on every node (GraphGPS's ``EigVals``), NaN where the
            vector is padding; ``None`` skips them. (default: ``"lap_eigval"``)
        dense_max_nodes: graphs up to this size use a dense ``eigh``
            (:func:`~graphkit.transforms.encodings.laplacian_pe_dense`); larger ones use
            shift-invert Lanczos (``scipy.sparse.linalg.eigsh``). (default: ``512``)

    Shapes:
        - output: ``data[attr_name]`` and ``data[eigval_attr_name]``, each
          ``[num_nodes, k]`` float32.
    """

    def __init__(self, k: int, attr_name: str = "lap_pe",
                 eigval_attr_name: Optional[str] = "lap_eigval", dense_max_nodes: int = 512) -> None:
        if k < 1:
            raise ValueError(f"k must be >= 1, got {k}")
        self.k = k
        self.attr_name = attr_name
        self.eigval_attr_name = eigval_attr_name
        self.dense_max_nodes = dense_max_nodes

    def forward(self, data: Data) -> Data:
        num_nodes = data.num_nodes
        edge_index, _ = remove_self_loops(data.edge_index)
        edge_index = to_undirected(edge_index, num_nodes=num_nodes)
        if num_nodes <= max(self.dense_max_nodes, self.k + 1):
            adjacency = torch.zeros(1, num_nodes, num_nodes)
            adjacency[0, edge_index[0], edge_index[1]] = 1.0
            pe, eigval = laplacian_pe_dense(adjacency, self.k)
            pe, eigval = pe[0], eigval[0]
        else:
            pe, eigval = self._sparse(edge_index, num_nodes)
        data[self.attr_name] = pe
        if self.eigval_attr_name is not None:
            data[self.eigval_attr_name] = eigval.expand(num_nodes, self.k).clone()
        return data

    def _sparse(self, edge_index: Tensor, num_nodes: int) -> tuple[Tensor, Tensor]:
        lap_index, lap_weight = get_laplacian(edge_index, normalization="sym", num_nodes=num_nodes)
        lap = to_scipy_sparse_matrix(lap_index, lap_weight, num_nodes).astype(np.float64).tocsc()
        null = self._null_space(lap, num_nodes)
        if null is not None:
            return null
        # Shift-invert about a point just below the spectrum: plain which="SA" Lanczos
        # does not converge when 0 is a repeated eigenvalue (one per connected
        # component), while (L + 0.01 I)^-1 separates them well. Should ARPACK still
        # stall, retry with a wider Krylov space, then fall back to a dense solve for
        # graphs small enough.
        try:
            values, vectors = scipy.sparse.linalg.eigsh(lap, k=self.k + 1, sigma=-0.01, which="LM")
        except scipy.sparse.linalg.ArpackNoConvergence:
            try:
                values, vectors = scipy.sparse.linalg.eigsh(
                    lap, k=self.k + 1, sigma=-0.01, which="LM",
                    ncv=min(num_nodes - 1, max(4 * (self.k + 1), 64)), maxiter=50 * num_nodes)
            except scipy.sparse.linalg.ArpackNoConvergence:
                if num_nodes > DENSE_FALLBACK_MAX_NODES:
                    raise
                adjacency = torch.zeros(1, num_nodes, num_nodes)
                adjacency[0, edge_index[0], edge_index[1]] = 1.0
                pe, eigval = laplacian_pe_dense(adjacency, self.k)
                return pe[0], eigval[0]
        order = np.argsort(values)[1:]
        values, vectors = values[order], vectors[:, order]  # [k], [N, k]
        # Same sign convention as the dense path (laplacian_pe_dense).
        magnitude = np.abs(vectors)
        pivot = (magnitude >= magnitude.max(axis=0) - 1e-6).argmax(axis=0)
        vectors = vectors * np.where(vectors[pivot, np.arange(self.k)] < 0, -1.0, 1.0)
        return torch.from_numpy(vectors).float(), torch.from_numpy(values).float().clamp(min=0)

    def _null_space(self, lap, num_nodes: int) -> Optional[tuple[Tensor, Tensor]]:
        """When the graph has at least ``k + 1`` connected components with edges, the
        ``k + 1`` smallest eigenvalues are all 0 and the vectors wanted are a basis of
        the null space, which is known exactly: ``D^{1/2} 1_C`` normalised, one per
        component ``C``. Lanczos has no unique answer to find there, and on Cora (78
        components, k = 8) it took from 1 s to never converging depending on its random
        restarts. Returns those vectors for the 2nd to (k+1)-th largest components
        (ties: lowest first node), or ``None`` when there are fewer components."""
        # off-diagonal pattern of L = the graph's edges; isolated nodes (L_ii = 1, no
        # edge) are components of their own and not in the null space
        adjacency = (lap - scipy.sparse.diags(lap.diagonal())).tocsr()
        adjacency.eliminate_zeros()
        count, labels = scipy.sparse.csgraph.connected_components(adjacency, directed=False)
        sizes = np.bincount(labels, minlength=count)
        with_edges = np.flatnonzero(sizes >= 2)
        if with_edges.size < self.k + 1:
            return None
        first_node = np.full(count, num_nodes)
        np.minimum.at(first_node, labels, np.arange(num_nodes))
        ranked = with_edges[np.lexsort((first_node[with_edges], -sizes[with_edges]))]
        # degrees from the edge pattern (L's off-diagonal entries are -1 / sqrt(d_i d_j))
        degree = np.asarray((adjacency != 0).sum(axis=1)).ravel().astype(np.float64)
        vectors = np.zeros((num_nodes, self.k))
        for column, component in enumerate(ranked[1:self.k + 1]):
            members = labels == component
            v = np.sqrt(degree[members])
            vectors[members, column] = v / np.linalg.norm(v)
        return torch.from_numpy(vectors).float(), torch.zeros(self.k)

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}(k={self.k})"
