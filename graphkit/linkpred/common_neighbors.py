"""Batched neighbourhood overlaps of node pairs on ``torch.sparse_csr`` adjacencies.

For a batch of target pairs ``(i, j)`` the rows ``A[i]`` and ``A[j]`` are gathered as
sorted integer keys ``pair * N + node``; one ``searchsorted`` then splits them into the
common neighbours and the neighbours of only one end (what NCNC completes). This is
what the NCN reference code does with torch_sparse, rebuilt on plain torch ops.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import Tensor

from graphkit.linkpred.adjacency import csr_from_sorted


def gather_row_keys(adj: Tensor, index: Tensor) -> Tensor:
    """Sorted keys ``b * num_cols + col`` of the entries of rows ``adj[index[b]]``.

    Shapes:
        ``index [B]`` -> ``[nnz of the gathered rows]``
    """
    crow, col = adj.crow_indices(), adj.col_indices()
    start = crow[index]
    count = crow[index + 1] - start
    total = int(count.sum())
    batch = torch.repeat_interleave(torch.arange(index.numel(), device=index.device), count)
    # position of each gathered entry inside adj's col array
    first = torch.cumsum(count, 0) - count
    pos = torch.arange(total, device=index.device) - first[batch] + start[batch]
    return batch * adj.size(1) + col[pos]


class Overlap(NamedTuple):
    """Neighbourhood overlap of B target pairs, each part a ``[B, N]`` sparse CSR matrix.

    ``common``: neighbours of both ends; ``only_src`` / ``only_dst``: neighbours of the
    source (destination) end only.
    """

    common: Tensor
    only_src: Tensor | None
    only_dst: Tensor | None


def _keys_to_csr(keys: Tensor, num_rows: int, num_cols: int) -> Tensor:
    return csr_from_sorted(keys // num_cols, keys % num_cols, num_rows, num_cols)


def neighbor_overlap(adj_src: Tensor, adj_dst: Tensor, edge_label_index: Tensor,
                     with_residual: bool = False) -> Overlap:
    """Common neighbours ``A_src[i] * A_dst[j]`` of each target pair, batched.

    Args:
        adj_src: adjacency whose rows are taken for the source ends (CSR, sorted columns).
        adj_dst: adjacency for the destination ends (same as ``adj_src`` for 1-hop CN;
            a 2-hop matrix for NCN2's mixed overlaps).
        edge_label_index: ``[2, B]`` target pairs.
        with_residual: also return the entries of only one side (default ``False``).

    Shapes:
        ``edge_label_index [2, B]`` -> three ``[B, N]`` CSR matrices with values 1
    """
    num_pairs, n = edge_label_index.size(1), adj_src.size(1)
    keys_src = gather_row_keys(adj_src, edge_label_index[0])
    keys_dst = gather_row_keys(adj_dst, edge_label_index[1])
    if keys_src.numel() == 0 or keys_dst.numel() == 0:
        empty = keys_src.new_empty(0)
        common = _keys_to_csr(empty, num_pairs, n)
        if not with_residual:
            return Overlap(common, None, None)
        return Overlap(common, _keys_to_csr(keys_src, num_pairs, n),
                       _keys_to_csr(keys_dst, num_pairs, n))
    idx = torch.searchsorted(keys_src, keys_dst).clamp_(max=keys_src.numel() - 1)
    matched = keys_src[idx] == keys_dst
    common = _keys_to_csr(keys_dst[matched], num_pairs, n)
    if not with_residual:
        return Overlap(common, None, None)
    src_left = torch.ones_like(keys_src, dtype=torch.bool)
    src_left[idx[matched]] = False
    return Overlap(common, _keys_to_csr(keys_src[src_left], num_pairs, n),
                   _keys_to_csr(keys_dst[~matched], num_pairs, n))


def common_neighbor_sum(adj: Tensor, x: Tensor, edge_label_index: Tensor) -> Tensor:
    """Sum of the common neighbours' features for each target pair (NCN's aggregation).

    Shapes:
        ``adj [N, N]`` CSR, ``x [N, F]``, ``edge_label_index [2, B]`` -> ``[B, F]``
    """
    common = neighbor_overlap(adj, adj, edge_label_index).common
    return torch.sparse.mm(common, x)
