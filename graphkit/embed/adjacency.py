"""One sparse adjacency from whatever graph object the caller holds."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np
import scipy.sparse as sp

from graphkit.errors import ConfigError

ACCEPTED = "a scipy sparse [N, N] adjacency, a PyG Data, an edge_index [2, E] tensor/array or a networkx graph"


def as_adjacency(graph: Any, num_nodes: Optional[int] = None) -> sp.csr_matrix:
    """Returns the weighted adjacency ``A`` of ``graph`` as CSR, ``A[i, j]`` = weight of edge i -> j.

    Nothing dense of size N x N is built. Duplicate edges add up their weights; an
    undirected graph must list both directions (PyG and scipy conventions), networkx
    graphs are expanded by networkx itself.

    Args:
        graph: a scipy sparse matrix or array ``[N, N]``; a PyG ``Data`` (``edge_index``,
            optional ``edge_weight`` ``[E]``, ``num_nodes``); an ``edge_index`` ``[2, E]``
            torch tensor or NumPy array; or a ``networkx`` graph (its ``weight`` attribute,
            nodes in ``G.nodes`` order).
        num_nodes: number of nodes for an ``edge_index`` input (default: largest index + 1).

    Raises:
        ConfigError: unsupported type, bad shape, or negative / non-finite weights.
    """
    if sp.issparse(graph):
        adjacency = sp.csr_matrix(graph)
    elif _is_pyg_data(graph):
        weight = getattr(graph, "edge_weight", None)
        adjacency = _from_edge_index(graph.edge_index, weight, graph.num_nodes if num_nodes is None else num_nodes)
    elif _is_networkx(graph):
        import networkx as nx

        adjacency = sp.csr_matrix(nx.to_scipy_sparse_array(graph, weight="weight", dtype=np.float64, format="csr"))
    elif _is_array(graph) and np.ndim(graph) == 2 and np.shape(graph)[0] == 2:
        adjacency = _from_edge_index(graph, None, num_nodes)
    else:
        raise ConfigError(f"cannot read a graph from {type(graph).__name__}; expected {ACCEPTED}")
    n, m = adjacency.shape
    if n != m:
        raise ConfigError(f"adjacency must be square, got shape {adjacency.shape}")
    if adjacency.dtype.kind not in "fiub":
        raise ConfigError(f"adjacency weights must be real numbers, got dtype {adjacency.dtype}")
    data = adjacency.data
    if data.size and (not np.isfinite(data).all() or data.min() < 0):
        raise ConfigError("edge weights must be finite and >= 0")
    return adjacency


def _from_edge_index(edge_index: Any, edge_weight: Any, num_nodes: Optional[int]) -> sp.csr_matrix:
    index = np.asarray(_to_numpy(edge_index), dtype=np.int64)
    if index.ndim != 2 or index.shape[0] != 2:
        raise ConfigError(f"edge_index must have shape [2, E], got {list(index.shape)}")
    if index.size and index.min() < 0:
        raise ConfigError("edge_index holds negative node indices")
    largest = int(index.max()) + 1 if index.size else 0
    n = largest if num_nodes is None else int(num_nodes)
    if n < largest:
        raise ConfigError(f"edge_index refers to node {largest - 1} but num_nodes is {n}")
    if edge_weight is None:
        weight = np.ones(index.shape[1], dtype=np.float32)
    else:
        weight = np.asarray(_to_numpy(edge_weight)).reshape(-1)
        if weight.shape[0] != index.shape[1]:
            raise ConfigError(f"edge_weight has {weight.shape[0]} entries for {index.shape[1]} edges")
    # coo -> csr sums duplicate edges, which is what a multigraph's weight means here.
    return sp.csr_matrix((weight, (index[0], index[1])), shape=(n, n))


def _to_numpy(value: Any) -> np.ndarray:
    if hasattr(value, "detach"):
        return value.detach().cpu().numpy()
    return np.asarray(value)


def _is_array(value: Any) -> bool:
    return isinstance(value, np.ndarray) or hasattr(value, "detach")


def _is_pyg_data(value: Any) -> bool:
    return hasattr(value, "edge_index") and hasattr(value, "num_nodes")


def _is_networkx(value: Any) -> bool:
    return type(value).__module__.startswith("networkx.")
