"""Hierarchical affinity clustering (HAC) tokenization of graphs into node sequences, as
in GSM++ (Behrouz et al., "Best of Both Worlds: Advantages of Hybrid Graph Sequence
Models", https://arxiv.org/abs/2411.15671)."""

from __future__ import annotations

from typing import Optional

import numpy as np
import scipy.sparse as sp
import torch
from scipy.sparse.csgraph import connected_components
from torch import Tensor
from torch_geometric.data import Data
from torch_geometric.transforms import BaseTransform


def _edge_affinity(edge_index: np.ndarray, num_nodes: int, x: Optional[np.ndarray]) -> np.ndarray:
    """Affinity of each edge: Jaccard overlap of the closed neighbourhoods (structure)
    plus the similarity of the endpoint features (equality of categorical types, cosine
    of real-valued features, mapped to [0, 1])."""
    src, dst = edge_index
    adj = sp.csr_matrix((np.ones(src.size), (src, dst)), shape=(num_nodes, num_nodes))
    adj = ((adj + adj.T + sp.identity(num_nodes, format="csr")) > 0).astype(np.float64)
    common = np.asarray((adj[src].multiply(adj[dst])).sum(axis=1)).ravel()
    size = np.asarray(adj.sum(axis=1)).ravel()
    affinity = common / (size[src] + size[dst] - common)
    if x is not None and x.size:
        if np.issubdtype(x.dtype, np.integer):  # type ids (atoms, bonds)
            affinity = affinity + (x[src] == x[dst]).all(axis=1)
        else:
            norm = np.linalg.norm(x, axis=1).clip(min=1e-12)
            affinity = affinity + 0.5 * (1.0 + (x[src] * x[dst]).sum(axis=1) / (norm[src] * norm[dst]))
    return affinity


def hac_ranks(edge_index: Tensor, num_nodes: int, x: Optional[Tensor] = None,
              batch: Optional[Tensor] = None, levels: int = 3, seed: int = 0) -> Tensor:
    """Position of each node in the sequence of each HAC level.

    Affinity clustering (Bateni et al., NeurIPS 2017, the HAC that GSM++ uses): every
    cluster joins its highest-affinity neighbouring cluster (average linkage over the
    edges between them), the joined pairs' connected components become the next
    level's clusters, ``levels`` times (a level stops changing once a graph's component
    is one cluster). The level-``l`` sequence lists the nodes by the cluster tree from the
    top down to level ``l``: nodes of one level-``l`` cluster are contiguous and nested
    in their coarser clusters, sibling clusters and the nodes inside a level-``l``
    cluster in an order drawn from ``seed``. Level 1 is thus the full tree order and
    each coarser level shuffles more within its clusters. Clusters never cross graphs,
    so a mini-batch is tokenized as a whole.

    Args:
        edge_index: ``[2, E]`` (either direction is enough).
        num_nodes: ``N``.
        x: node features ``[N]`` or ``[N, F]`` (type ids or real values), or ``None``.
        batch: graph of each node (sorted, PyG collation); ``None`` for one graph.
        levels: hierarchy levels, one sequence each (default 3).
        seed: seed of the tie-breaking and sibling order (the result is a function of
            the inputs and ``seed``).

    Returns:
        ``[N, levels]`` long: the position of each node within its graph's sequence
        (each column is a permutation of ``0..n_g - 1`` within every graph ``g``).
    """
    if levels < 1:
        raise ValueError(f"levels must be >= 1, got {levels}")
    rng = np.random.default_rng(seed)
    ei = edge_index.cpu().numpy()
    ei = ei[:, ei[0] != ei[1]]
    feats = None
    if x is not None:
        feats = x.detach().cpu().numpy()
        feats = feats.reshape(num_nodes, -1)
    graph = np.zeros(num_nodes, dtype=np.int64) if batch is None else batch.cpu().numpy()
    # tiny seeded noise: ties between equal affinities resolve the same way for a seed
    weight = _edge_affinity(ei, num_nodes, feats) + 1e-6 * rng.random(ei.shape[1])
    cluster = np.arange(num_nodes)
    memberships = []
    for _ in range(levels):
        cu, cv = cluster[ei[0]], cluster[ei[1]]
        between = cu != cv
        if between.any():
            num = cluster.max() + 1
            pair = cu[between] * num + cv[between]
            pairs, inverse = np.unique(pair, return_inverse=True)
            linkage = (np.bincount(inverse, weights=weight[between])
                       / np.bincount(inverse))  # average linkage per cluster pair
            a, b = pairs // num, pairs % num
            # each cluster's best neighbour: sort by (a, -linkage) and take the first
            first = np.lexsort((-linkage, a))
            keep = np.r_[True, a[first][1:] != a[first][:-1]]
            chosen = first[keep]
            joined = sp.coo_matrix((np.ones(chosen.size), (a[chosen], b[chosen])), shape=(num, num))
            _, label = connected_components(joined, directed=True, connection="weak")
            cluster = label[cluster]
        memberships.append(cluster.copy())
    keys = [rng.random(num_nodes)]  # order of the nodes inside a cluster
    ranks = np.empty((num_nodes, levels), dtype=np.int64)
    counts = np.bincount(graph, minlength=int(graph.max()) + 1 if num_nodes else 0)
    starts = np.cumsum(counts) - counts
    for level in range(levels):
        # np.lexsort's last key is primary: graph, coarsest cluster, ..., level cluster
        draws = rng.random(memberships[level].max() + 1)
        keys.append(draws[memberships[level]])
    for level in range(levels):
        order = np.lexsort(tuple([keys[0]] + keys[level + 1:] + [graph]))
        ranks[order, level] = np.arange(num_nodes) - starts[graph[order]]
    return torch.from_numpy(ranks)


class AddHACTokenization(BaseTransform):
    """Adds ``data.hac_rank`` ``[N, levels]`` (:func:`hac_ranks`) as a cached pre-transform,
    so that training does not recluster every mini-batch.

    Args:
        levels: hierarchy levels (default 3).
        seed: seed of the tie-breaking and sibling order (default 0).
    """

    def __init__(self, levels: int = 3, seed: int = 0) -> None:
        self.levels, self.seed = levels, seed

    def forward(self, data: Data) -> Data:
        data.hac_rank = hac_ranks(data.edge_index, data.num_nodes, getattr(data, "x", None),
                                  levels=self.levels, seed=self.seed)
        return data

    def __repr__(self) -> str:
        return f"{type(self).__name__}(levels={self.levels}, seed={self.seed})"
