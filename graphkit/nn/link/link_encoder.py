"""The node encoder of NCN/NCNC and GAE: an MPNN run once over the (input) graph.

Follows the encoder of the NCN paper (https://arxiv.org/abs/2302.00890): inputs are
projected (float features) or looked up (featureless graphs such as ogbl-ddi), then
propagated with parameter-free "pure" convolutions (one linear map, then ``Â x``) or
with PyG's GCN / GraphSAGE layers.
"""

from __future__ import annotations

from typing import Optional

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch_geometric.nn import GCNConv, SAGEConv

from graphkit.linkpred.adjacency import csr_from_sorted, csr_rows

PURE_CONVS = ("puregcn", "puresum", "puremean")
LINK_CONVS = PURE_CONVS + ("gcn", "sage")


def _row_sum(adj: Tensor) -> Tensor:
    out = torch.zeros(adj.size(0), device=adj.device)
    return out.index_add_(0, csr_rows(adj), adj.values().float())


def _pure_propagate(conv: str, x: Tensor, adj: Tensor) -> Tensor:
    if conv == "puresum":
        return torch.sparse.mm(adj, x)
    deg = _row_sum(adj)
    if conv == "puremean":
        return torch.sparse.mm(adj, x) / deg.clamp(min=1).view(-1, 1)
    # symmetric normalization with a self-loop: D̃^-1/2 (A + I) D̃^-1/2 x
    norm = torch.rsqrt(1.0 + deg).view(-1, 1)
    x = norm * x
    return norm * (torch.sparse.mm(adj, x) + x)


class LinkEncoder(nn.Module):
    """Node embeddings for pairwise link predictors.

    Args:
        in_channels: input feature width (ignored with ``num_embeddings``).
        hidden_channels: embedding width.
        num_layers: propagation steps (default 1).
        conv: ``puregcn``, ``puresum``, ``puremean`` (parameter-free propagation after one
            input linear layer) or ``gcn`` / ``sage`` (PyG layers) (default ``puregcn``).
        dropout: dropout after the input map and between layers (default 0.0).
        input_dropout: dropout on the raw features (default 0.0).
        tail_dropout: dropout after the last pure layer (default 0.0).
        edge_dropout: drops adjacency entries in training, rescaling the rest (default 0.0).
        layer_norm: LayerNorm between PyG layers (default ``False``).
        residual: adds each layer's input to its output (default ``False``).
        jk: learnable weighted sum of all layers' outputs (default ``False``).
        num_embeddings: featureless graphs: one learnable vector per node (default ``None``).

    Shapes:
        ``x [N, in_channels]`` dense or sparse CSR (or ``None`` with embeddings),
        ``adj [N, N]`` CSR -> ``[N, hidden]``
    """

    def __init__(self, in_channels: int, hidden_channels: int, num_layers: int = 1, conv: str = "puregcn",
                 dropout: float = 0.0, input_dropout: float = 0.0, tail_dropout: float = 0.0,
                 edge_dropout: float = 0.0, layer_norm: bool = False, residual: bool = False, jk: bool = False,
                 num_embeddings: Optional[int] = None) -> None:
        super().__init__()
        if conv not in LINK_CONVS:
            raise ValueError(f"unknown conv {conv!r}; valid: {', '.join(LINK_CONVS)}")
        if num_layers < 0:
            raise ValueError("num_layers must be >= 0")
        self.conv, self.pure = conv, conv in PURE_CONVS
        self.dropout, self.input_dropout, self.tail_dropout = dropout, input_dropout, tail_dropout
        self.edge_dropout, self.residual = edge_dropout, residual
        self.embedding: Optional[nn.Embedding] = None
        self.input_lin: Optional[nn.Linear] = None
        if num_embeddings is not None:
            self.embedding = nn.Embedding(num_embeddings, hidden_channels)
            nn.init.orthogonal_(self.embedding.weight)
            in_channels = hidden_channels
        elif self.pure or num_layers == 0:
            self.input_lin = nn.Linear(in_channels, hidden_channels)
            in_channels = hidden_channels
        self.convs = nn.ModuleList()
        self.norms = nn.ModuleList()
        if not self.pure:
            for i in range(num_layers):
                width_in = in_channels if i == 0 else hidden_channels
                layer = GCNConv(width_in, hidden_channels) if conv == "gcn" else SAGEConv(width_in, hidden_channels)
                self.convs.append(layer)
                if i < num_layers - 1:
                    self.norms.append(nn.LayerNorm(hidden_channels) if layer_norm else nn.Identity())
        self.num_layers = num_layers
        self.jk_weights = nn.Parameter(torch.randn(num_layers)) if jk and num_layers > 0 else None

    def _input(self, x: Optional[Tensor]) -> Tensor:
        if self.embedding is not None:
            return F.dropout(self.embedding.weight, self.dropout, self.training)
        if x is None:
            raise ValueError("LinkEncoder without num_embeddings needs node features x")
        if x.layout == torch.sparse_csr:
            if self.input_lin is None:
                x = x.to_dense()
            else:
                # bag-of-words inputs (Planetoid) are ~1% dense: the sparse product is
                # what makes an epoch cheap on CPU; dropping stored values is dropout
                keep = F.dropout(torch.ones_like(x.values()), self.input_dropout, self.training)
                x = torch.sparse_csr_tensor(x.crow_indices(), x.col_indices(),
                                            x.values() * keep, x.shape)
                h = torch.sparse.mm(x, self.input_lin.weight.t()) + self.input_lin.bias
                return F.dropout(h, self.dropout, self.training)
        x = F.dropout(x.float(), self.input_dropout, self.training)
        if self.input_lin is not None:
            x = F.dropout(self.input_lin(x), self.dropout, self.training)
        return x

    def _drop_edges(self, adj: Tensor) -> Tensor:
        if not self.training or self.edge_dropout <= 0.0:
            return adj
        keep = torch.rand(adj.values().numel(), device=adj.device) >= self.edge_dropout
        value = adj.values()[keep] / (1.0 - self.edge_dropout)
        return csr_from_sorted(csr_rows(adj)[keep], adj.col_indices()[keep], adj.size(0),
                               adj.size(1), value)

    def forward(self, x: Optional[Tensor], adj: Tensor) -> Tensor:
        x = self._input(x)  # [N, hidden] (or [N, in] before PyG layers)
        outs = []
        for i in range(self.num_layers):
            a = self._drop_edges(adj)
            last = i == self.num_layers - 1
            if self.pure:
                h = _pure_propagate(self.conv, x, a)
                if last:
                    h = F.dropout(h, self.tail_dropout, self.training)
            else:
                h = self.convs[i](x, a)
                if not last:
                    h = F.relu(F.dropout(self.norms[i](h), self.dropout, self.training))
            x = h + x if self.residual and h.shape == x.shape else h
            outs.append(x)
        if self.jk_weights is not None:
            x = (torch.stack(outs) * self.jk_weights.view(-1, 1, 1)).sum(0)
        return x
