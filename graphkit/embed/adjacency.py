"""One sparse adjacency from whatever graph object the caller holds."""

from __future__ import annotations

from typing import Any, Literal, Optional

import numpy as np
import scipy.sparse as sp

from graphkit.errors import InvalidInputError, InvalidInputTypeError

ACCEPTED = ("a scipy sparse or dense [N, N] adjacency (ndarray, np.matrix, float tensor), a PyG Data, "
            "an integer edge_index [2, E] tensor, or a networkx graph")
LAYOUTS = ("auto", "adjacency", "edge_index")


def as_adjacency(graph: Any, num_nodes: Optional[int] = None,
                 layout: Literal["auto", "adjacency", "edge_index"] = "auto") -> sp.csr_matrix:
    """Returns the weighted adjacency ``A`` of ``graph`` as CSR, ``A[i, j]`` = weight of edge i -> j.

    Sparse and edge-list inputs never become dense N x N. Duplicate edges add up their
    weights; an undirected graph must list both directions (PyG and scipy conventions),
    networkx graphs are expanded by networkx itself.

    A two-row array is an adjacency of 2 nodes as often as it is an edge list, so an
    array is read as an ``edge_index`` only when that is unambiguous: an integer torch
    tensor ``[2, E]`` (PyG's convention), or any ``[2, E]`` array with
    ``layout="edge_index"``. Every other 2-D array is a dense ``[N, N]`` adjacency.

    Args:
        graph: a scipy sparse matrix or array ``[N, N]``; a dense ``[N, N]`` adjacency
            (NumPy array, ``np.matrix``, torch tensor); a PyG ``Data`` (``edge_index``,
            optional ``edge_weight`` ``[E]``, ``num_nodes``); an integer ``edge_index``
            ``[2, E]`` torch tensor; or a ``networkx`` graph (its ``weight`` attribute,
            nodes in ``G.nodes`` order).
        num_nodes: number of nodes for an ``edge_index`` input (default: largest index + 1).
        layout: ``auto`` (default, as above), ``adjacency`` or ``edge_index`` to say how a
            2-D array is to be read.

    Raises:
        InvalidInputTypeError (a TypeError): unsupported type.
        InvalidInputError (a ValueError): bad shape, layout, or negative / non-finite weights.
    """
    if layout not in LAYOUTS:
        raise InvalidInputError(f"layout must be one of {', '.join(LAYOUTS)}, got {layout!r}")
    if sp.issparse(graph):
        adjacency = sp.csr_matrix(graph)
    elif _is_pyg_data(graph):
        weight = getattr(graph, "edge_weight", None)
        adjacency = _from_edge_index(graph.edge_index, weight, graph.num_nodes if num_nodes is None else num_nodes)
    elif _is_networkx(graph):
        import networkx as nx

        adjacency = sp.csr_matrix(nx.to_scipy_sparse_array(graph, weight="weight", dtype=np.float64, format="csr"))
    elif _is_array(graph):
        if np.ndim(graph) != 2:
            raise InvalidInputError(f"a graph array must be 2-D ([N, N] adjacency or [2, E] edge_index), "
                                    f"got shape {list(np.shape(graph))}")
        if layout == "edge_index" or (layout == "auto" and _is_integer_tensor(graph) and np.shape(graph)[0] == 2):
            adjacency = _from_edge_index(graph, None, num_nodes)
        else:
            adjacency = _from_dense(graph, num_nodes)
    else:
        raise InvalidInputTypeError(f"cannot read a graph from {type(graph).__name__}; expected {ACCEPTED}")
    n, m = adjacency.shape
    if n != m:
        raise InvalidInputError(f"adjacency must be square, got shape {adjacency.shape}")
    if adjacency.dtype.kind not in "fiub":
        raise InvalidInputError(f"adjacency weights must be real numbers, got dtype {adjacency.dtype}")
    data = adjacency.data
    if data.size and (not np.isfinite(data).all() or data.min() < 0):
        raise InvalidInputError("edge weights must be finite and >= 0")
    return adjacency


def _from_dense(matrix: Any, num_nodes: Optional[int]) -> sp.csr_matrix:
    dense = np.asarray(_to_numpy(matrix))  # np.matrix -> 2-D ndarray view
    n, m = dense.shape
    if n != m:
        hint = "; pass layout='edge_index' to read a [2, E] array as an edge list" if n == 2 else ""
        raise InvalidInputError(f"a dense adjacency must be square [N, N], got shape {[n, m]}{hint}")
    if num_nodes is not None and int(num_nodes) != n:
        raise InvalidInputError(f"num_nodes is {num_nodes} but the adjacency has {n} nodes")
    if dense.dtype.kind not in "fiub":
        raise InvalidInputError(f"adjacency weights must be real numbers, got dtype {dense.dtype}")
    return sp.csr_matrix(dense)


def _from_edge_index(edge_index: Any, edge_weight: Any, num_nodes: Optional[int]) -> sp.csr_matrix:
    raw = np.asarray(_to_numpy(edge_index))
    if raw.ndim != 2 or raw.shape[0] != 2:
        raise InvalidInputError(f"edge_index must have shape [2, E], got {list(raw.shape)}")
    if raw.size and raw.dtype.kind == "f" and not np.array_equal(raw, np.round(raw)):
        raise InvalidInputError("edge_index holds non-integer node indices")
    index = raw.astype(np.int64)
    if index.size and index.min() < 0:
        raise InvalidInputError("edge_index holds negative node indices")
    largest = int(index.max()) + 1 if index.size else 0
    n = largest if num_nodes is None else int(num_nodes)
    if n < largest:
        raise InvalidInputError(f"edge_index refers to node {largest - 1} but num_nodes is {n}")
    if edge_weight is None:
        weight = np.ones(index.shape[1], dtype=np.float32)
    else:
        weight = np.asarray(_to_numpy(edge_weight)).reshape(-1)
        if weight.shape[0] != index.shape[1]:
            raise InvalidInputError(f"edge_weight has {weight.shape[0]} entries for {index.shape[1]} edges")
    # coo -> csr sums duplicate edges, which is what a multigraph's weight means here.
    return sp.csr_matrix((weight, (index[0], index[1])), shape=(n, n))


def _to_numpy(value: Any) -> np.ndarray:
    if hasattr(value, "detach"):
        return value.detach().cpu().numpy()
    return np.asarray(value)


def _is_array(value: Any) -> bool:
    # lists of rows are array-likes, as scikit-learn reads them
    return isinstance(value, (np.ndarray, list, tuple)) or hasattr(value, "detach")


def _is_integer_tensor(value: Any) -> bool:
    return hasattr(value, "detach") and not value.is_floating_point() and not value.is_complex() \
        and str(value.dtype) != "torch.bool"


def _is_pyg_data(value: Any) -> bool:
    return hasattr(value, "edge_index") and hasattr(value, "num_nodes")


def _is_networkx(value: Any) -> bool:
    return type(value).__module__.startswith("networkx.")
