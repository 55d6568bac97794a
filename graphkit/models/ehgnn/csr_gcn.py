"""PyG's ``GCNConv`` forward (default flags) as CSR products with a hand-written backward."""

from __future__ import annotations

import warnings
from typing import Any, Optional

import torch
from torch import Tensor
from torch_geometric.nn import GCNConv


def _csr(rows: Tensor, cols: Tensor, values: Tensor, order: Tensor, num_nodes: int) -> Tensor:
    crow = rows.new_zeros(num_nodes + 1)
    torch.cumsum(torch.bincount(rows, minlength=num_nodes), 0, out=crow[1:])
    with warnings.catch_warnings():  # "sparse CSR support is in beta": tested against GCNConv
        warnings.simplefilter("ignore", UserWarning)
        return torch.sparse_csr_tensor(crow, cols[order], values[order], (num_nodes, num_nodes),
                                       check_invariants=False)


def _order(index: Tensor) -> Tensor:
    """A stable order sorting ``index`` (none needed when it is sorted already)."""
    if index.numel() < 2 or bool((index[1:] >= index[:-1]).all()):
        return torch.arange(index.numel(), device=index.device)
    return torch.sort(index, stable=True).indices


class _WeightedAggregate(torch.autograd.Function):
    """``y[i] = sum over edges (j -> i) of w_e * h[j]``, with gradients for ``w`` and ``h``:
    ``dh = A^T dy`` (a CSR product over the sources) and ``dw_e = <dy[i], h[j]>``."""

    @staticmethod
    def forward(ctx: Any, weight: Tensor, h: Tensor, edge_index: Tensor) -> Tensor:  # type: ignore[override]
        src, dst = edge_index
        by_dst = _order(dst)
        ctx.save_for_backward(weight, h, edge_index)
        return torch.sparse.mm(_csr(dst[by_dst], src, weight, by_dst, h.size(0)), h)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Optional[Tensor], Optional[Tensor], None]:  # type: ignore[override]
        weight, h, edge_index = ctx.saved_tensors
        src, dst = edge_index
        grad_weight = grad_h = None
        if ctx.needs_input_grad[1]:
            by_src = _order(src)
            grad_h = torch.sparse.mm(_csr(src[by_src], dst, weight, by_src, h.size(0)), grad)
        if ctx.needs_input_grad[0]:
            grad_weight = (grad.index_select(0, dst) * h.index_select(0, src)).sum(-1)
        return grad_weight, grad_h, None


def fits_csr_gcn(conv: object, edge_index: Tensor) -> bool:
    """Whether :func:`csr_gcn` computes ``conv``: a ``GCNConv`` with its default flags (self-
    loops added, symmetric normalization, not cached) on a graph without self-loops (PyG
    keeps the weight of an existing self-loop)."""
    return (type(conv) is GCNConv and conv.add_self_loops and conv.normalize and not conv.improved
            and not conv.cached and not bool((edge_index[0] == edge_index[1]).any()))


def csr_gcn(conv: GCNConv, x: Tensor, edge_index: Tensor, edge_weight: Optional[Tensor] = None) -> Tensor:
    """``conv(x, edge_index, edge_weight)`` for a ``GCNConv`` that :func:`fits_csr_gcn`:
    ``D^-1/2 (A_w + I) D^-1/2 X Θ + b`` with ``D`` the weighted in-degrees plus one, as one
    CSR product forward and one backward instead of gathers and scatters over the edges."""
    h = conv.lin(x)  # [N, C]
    num_nodes = h.size(0)
    if edge_weight is None:
        edge_weight = h.new_ones(edge_index.size(1))
    degree = torch.ones(num_nodes, dtype=h.dtype, device=h.device).index_add(0, edge_index[1], edge_weight)
    scale = degree.rsqrt().unsqueeze(-1)  # [N, 1]
    h = scale * h
    out = scale * (h + _WeightedAggregate.apply(edge_weight, h, edge_index))
    return out + conv.bias if conv.bias is not None else out
