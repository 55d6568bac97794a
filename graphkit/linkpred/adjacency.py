"""Symmetric adjacency matrices as ``torch.sparse_csr`` tensors (no torch_sparse needed)."""

from __future__ import annotations

import warnings

import torch
from torch import Tensor


def csr_from_sorted(row: Tensor, col: Tensor, num_rows: int, num_cols: int,
                    value: Tensor | None = None) -> Tensor:
    """CSR tensor from COO indices already sorted by (row, col).

    Shapes:
        ``row, col [nnz]`` -> ``[num_rows, num_cols]`` sparse CSR (values 1 unless given)
    """
    counts = torch.bincount(row, minlength=num_rows)
    crow = torch.zeros(num_rows + 1, dtype=torch.long, device=row.device)
    torch.cumsum(counts, 0, out=crow[1:])
    if value is None:
        value = torch.ones(col.numel(), device=col.device)
    with warnings.catch_warnings():
        # torch flags every CSR construction as beta; the ops used here are stable
        warnings.simplefilter("ignore", UserWarning)
        return torch.sparse_csr_tensor(crow, col, value, (num_rows, num_cols))


def build_adjacency(edge_index: Tensor, num_nodes: int) -> Tensor:
    """Binary symmetric adjacency without self-loops or duplicate entries.

    Args:
        edge_index: ``[2, E]`` edges, either direction or both.
        num_nodes: matrix size.

    Shapes:
        ``edge_index [2, E]`` -> ``[num_nodes, num_nodes]`` sparse CSR, columns sorted per row
    """
    row = torch.cat([edge_index[0], edge_index[1]])
    col = torch.cat([edge_index[1], edge_index[0]])
    keep = row != col
    key = torch.unique(row[keep] * num_nodes + col[keep])  # sorted, deduplicated
    return csr_from_sorted(key // num_nodes, key % num_nodes, num_nodes, num_nodes)


def csr_rows(adj: Tensor) -> Tensor:
    """Row index of every stored entry of a CSR tensor (COO row vector)."""
    crow = adj.crow_indices()
    counts = crow[1:] - crow[:-1]
    return torch.repeat_interleave(torch.arange(counts.numel(), device=crow.device), counts)


def degree(adj: Tensor) -> Tensor:
    """Number of stored entries per row of a CSR tensor."""
    crow = adj.crow_indices()
    return crow[1:] - crow[:-1]


def drop_entries(adj: Tensor, p: float) -> Tensor:
    """Keeps each stored entry with probability ``1 - p`` (independently per direction,
    as NCN's predictor edge dropout does)."""
    if p <= 0.0:
        return adj
    keep = torch.rand(adj.col_indices().numel(), device=adj.device) >= p
    row = csr_rows(adj)[keep]
    return csr_from_sorted(row, adj.col_indices()[keep], adj.size(0), adj.size(1))
