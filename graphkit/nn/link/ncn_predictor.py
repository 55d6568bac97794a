"""NCN / NCNC / NCN2 pairwise predictors.

Neural Common Neighbor with Completion for Link Prediction, Wang, Yang & Zhang,
ICLR 2024: https://arxiv.org/abs/2302.00890
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from graphkit.linkpred.adjacency import csr_from_sorted, csr_rows, drop_entries
from graphkit.linkpred.common_neighbors import neighbor_overlap

NCN_VARIANTS = ("ncn", "ncnc", "ncn2")


class _Dropout(nn.Module):
    """Inverted dropout with the mask from ``rand >= p``: the same Bernoulli masks as
    ``nn.Dropout``, at about half its CPU cost (NCNC's completion runs the predictor's
    MLPs, dropout included, on every one-sided candidate of a training batch)."""

    def __init__(self, p: float) -> None:
        super().__init__()
        self.p = p

    def forward(self, x: Tensor) -> Tensor:
        if not self.training or self.p <= 0.0:
            return x
        return x * (torch.rand_like(x) >= self.p) * (1.0 / (1.0 - self.p))


def _stack(widths: list[int], *, layer_norm: bool, dropout: float, norm_at: set[int],
           tail_act: bool) -> nn.Sequential:
    """Linear layers with LayerNorm (where ``norm_at``), dropout and ReLU between them;
    with ``tail_act`` the stack ends on the activation instead of a final linear layer."""
    layers: list[nn.Module] = []
    num = len(widths) - 1
    for i in range(num):
        last = i == num - 1
        if last and tail_act:
            break
        layers.append(nn.Linear(widths[i], widths[i + 1]))
        if last:
            break
        if layer_norm and i in norm_at:
            layers.append(nn.LayerNorm(widths[i + 1]))
        layers += [_Dropout(dropout), nn.ReLU()]
    return nn.Sequential(*layers)


class NCNPredictor(nn.Module):
    r"""Scores a pair from its Hadamard product and its common neighbours' embeddings.

    NCN: :math:`s_{ij} = \mathrm{MLP}\big(\beta\,\mathrm{MLP}_{cn}(\sum_{k \in N(i)\cap N(j)} h_k)
    + \mathrm{MLP}_{ij}(h_i \odot h_j)\big)` with a learnable mixing weight :math:`\beta`.

    NCNC (``variant="ncnc"``) completes the common-neighbour set: a neighbour ``k`` of
    only one end ``i`` joins with weight :math:`p(j,k)` from an NCN pass of this same
    predictor (no gradient), calibrated as
    :math:`p = \alpha\,p_t\,p_0 / (p_t p_0 + 1 - p_0)`, :math:`p_0 = \sigma(s\,(\mathrm{logit} - o))`
    (``completion_scale`` ``s``, ``completion_offset`` ``o``, ``completion_pt`` :math:`p_t`).
    As in the reference code (GraphPKU/NeuralCommonNeighbor), that inner pass takes the
    transformed embeddings ``x + xlin(x)`` as its input and, in training, drops adjacency
    entries (``edge_dropout``) once more; all one-sided candidates of a batch are scored
    in one pass.
    NCN2 (``variant="ncn2"``) adds the 1-hop/2-hop overlaps through a third MLP.

    Args:
        in_channels: node embedding width.
        hidden_channels: MLP width.
        dropout: dropout inside the MLPs (default 0.0).
        edge_dropout: drops adjacency entries before the overlaps in training (default 0.0).
        layer_norm: LayerNorm in the MLPs (default ``False``).
        use_xlin: adds an MLP of the embeddings before summing neighbours (default ``False``).
        tail_act: the CN and pair MLPs end on ReLU instead of a linear layer (default ``False``).
        two_layer_lin: two hidden layers in the output MLP (default ``False``).
        beta: initial mixing weight of the common-neighbour term (default 1.0).
        variant: ``ncn``, ``ncnc`` or ``ncn2`` (default ``ncn``).
        completion_alpha, completion_scale, completion_offset, completion_pt: NCNC's
            calibration (defaults 1.0, 5.0, 3.0, 0.5, the reference code's defaults).

    Shapes:
        ``x [N, in]``, ``adj [N, N]`` CSR, ``edge_label_index [2, B]`` -> ``[B]`` logits
    """

    def __init__(self, in_channels: int, hidden_channels: int, dropout: float = 0.0, edge_dropout: float = 0.0,
                 layer_norm: bool = False, use_xlin: bool = False, tail_act: bool = False,
                 two_layer_lin: bool = False, beta: float = 1.0, variant: str = "ncn",
                 completion_alpha: float = 1.0, completion_scale: float = 5.0, completion_offset: float = 3.0,
                 completion_pt: float = 0.5) -> None:
        super().__init__()
        if variant not in NCN_VARIANTS:
            raise ValueError(f"unknown NCN variant {variant!r}; valid: {', '.join(NCN_VARIANTS)}")
        self.variant, self.edge_dropout = variant, edge_dropout
        h = hidden_channels
        kw = dict(layer_norm=layer_norm, dropout=dropout)
        self.beta = nn.Parameter(torch.full((1,), float(beta)))
        self.xlin = (_stack([in_channels, h, in_channels, in_channels], norm_at={1}, tail_act=True, **kw)
                     if use_xlin else None)
        self.xcnlin = _stack([in_channels, h, h, h], norm_at={1}, tail_act=tail_act, **kw)
        self.xijlin = _stack([in_channels, h, h], norm_at={0}, tail_act=tail_act, **kw)
        self.xcn2lin = (_stack([in_channels, h, h, h], norm_at={1}, tail_act=tail_act, **kw)
                        if variant == "ncn2" else None)
        out_widths = [h, h, h, 1] if two_layer_lin else [h, h, 1]
        self.lin = _stack(out_widths, norm_at={0, 1}, tail_act=False, **kw)
        self.completion = (completion_alpha, completion_scale, completion_offset, completion_pt)

    def _calibrate(self, logit: Tensor) -> Tensor:
        alpha, scale, offset, pt = self.completion
        p0 = torch.sigmoid(scale * (logit - offset))
        return alpha * pt * p0 / (pt * p0 + 1.0 - p0)

    def _transform(self, x: Tensor, mats: list[Tensor]) -> tuple[Tensor, list[Tensor]]:
        """``x + xlin(x)`` on only the nodes the ``[B, N]`` matrices use; the matrices'
        columns are renumbered to those rows. xlin is row-wise, so this equals running it
        on every node, at a fraction of the cost (a batch touches few nodes)."""
        if self.xlin is None:
            return x, mats
        nodes = torch.unique(torch.cat([m.col_indices() for m in mats]))
        xs = x[nodes]
        xs = xs + self.xlin(xs)  # [num used nodes, in]
        out = []
        for m in mats:
            col = torch.searchsorted(nodes, m.col_indices())
            out.append(torch.sparse_csr_tensor(m.crow_indices(), col, m.values(),
                                               (m.size(0), nodes.numel())))
        return xs, out

    def _cn_term(self, mat: Tensor, xn: Tensor, skip_empty: bool) -> Tensor:
        """``xcnlin(mat @ xn)``, its first (linear) layer applied per node, not per pair.

        By linearity ``W (sum_k w_k x_k) + b = sum_k w_k (W x_k) + b``: with many more
        pairs than nodes (the completion's candidates) this saves one matmul per pair.
        With ``skip_empty`` (evaluation only: no dropout), rows without any common
        neighbour, which all map to the same vector, are computed once."""
        first, rest = self.xcnlin[0], self.xcnlin[1:]
        z = torch.sparse.mm(mat, xn @ first.weight.t()) + first.bias  # [B, hidden]
        if not skip_empty:
            return rest(z)
        filled = (mat.crow_indices()[1:] - mat.crow_indices()[:-1]) > 0
        out = rest(first.bias.view(1, -1)).expand(z.size(0), -1).clone()
        if bool(filled.any()):
            out[filled] = rest(z[filled])
        return out

    def _score(self, x: Tensor, adj: Tensor, edge_label_index: Tensor) -> Tensor:
        """NCN (and NCN2) logits; ``x`` are the node embeddings of this pass."""
        src, dst = edge_label_index
        xij = self.xijlin(x[src] * x[dst])  # [B, hidden]
        mats = [neighbor_overlap(adj, adj, edge_label_index).common]  # [B, N]
        if self.xcn2lin is not None:
            mats += self._two_hop_overlaps(adj, edge_label_index)
        xn, mats = self._transform(x, mats)
        z = self._cn_term(mats[0], xn, skip_empty=False) * self.beta + xij
        if self.xcn2lin is not None:
            z = z + self.xcn2lin(torch.sparse.mm(mats[-2], xn) + torch.sparse.mm(mats[-1], xn))
        return self.lin(z).view(-1)

    def _score_completed(self, x: Tensor, adj: Tensor, edge_label_index: Tensor) -> Tensor:
        """NCNC logits: common neighbours plus the one-sided neighbours weighted by
        calibrated NCN probabilities.

        As in the reference code, the inner NCN pass (no gradient) takes the outer
        pass's transformed embeddings ``x + xlin(x)`` as its input and, in training,
        drops adjacency entries again; it scores all one-sided candidates of the batch
        at once."""
        src, dst = edge_label_index
        xij = self.xijlin(x[src] * x[dst])  # [B, hidden]
        xn = x if self.xlin is None else x + self.xlin(x)  # [N, in]
        overlap = neighbor_overlap(adj, adj, edge_label_index, with_residual=True)
        with torch.no_grad():
            x_inner = xn.detach()
            adj_inner = drop_entries(adj, self.edge_dropout) if self.training else adj
            xn_inner = x_inner if self.xlin is None else x_inner + self.xlin(x_inner)
            cand, parts = [], []
            for part, other_end in ((overlap.only_src, dst), (overlap.only_dst, src)):
                crow = part.crow_indices()
                pair = torch.repeat_interleave(torch.arange(part.size(0), device=x.device),
                                               crow[1:] - crow[:-1])
                cand.append(torch.stack([other_end[pair], part.col_indices()]))  # (j, k)
                parts.append(part)
            cand_all = torch.cat(cand, dim=1)  # [2, M]
            common = neighbor_overlap(adj_inner, adj_inner, cand_all).common  # [M, N]
            z = (self._cn_term(common, xn_inner, skip_empty=not self.training) * self.beta
                 + self.xijlin(x_inner[cand_all[0]] * x_inner[cand_all[1]]))
            prob = self._calibrate(self.lin(z).view(-1))  # [M]
        first = cand[0].size(1)
        weights = torch.cat([overlap.common.values(), prob[:first], prob[first:]])
        # one [B, N] matrix: common neighbours with weight 1, one-sided ones with p
        rows = torch.cat([csr_rows(overlap.common), csr_rows(parts[0]), csr_rows(parts[1])])
        cols = torch.cat([overlap.common.col_indices(), parts[0].col_indices(),
                          parts[1].col_indices()])
        order = torch.argsort(rows * adj.size(1) + cols)
        completed = csr_from_sorted(rows[order], cols[order], edge_label_index.size(1),
                                    adj.size(1), value=weights[order])
        z = self._cn_term(completed, xn, skip_empty=False) * self.beta + xij
        return self.lin(z).view(-1)

    @staticmethod
    def _two_hop_overlaps(adj: Tensor, edge_label_index: Tensor) -> list[Tensor]:
        """``A[i] * A²[j]`` and ``A²[i] * A[j]`` patterns (NCN2's extra terms)."""
        # walk counts; only the pattern is used. The CSR product leaves columns unsorted
        # within rows, and the overlap search needs them sorted.
        adj2 = torch.sparse.mm(adj, adj)
        n = adj.size(1)
        key = torch.unique(csr_rows(adj2) * n + adj2.col_indices())
        pattern = csr_from_sorted(key // n, key % n, adj.size(0), n)
        return [neighbor_overlap(adj, pattern, edge_label_index).common,
                neighbor_overlap(pattern, adj, edge_label_index).common]

    def forward(self, x: Tensor, adj: Tensor, edge_label_index: Tensor) -> Tensor:
        if self.training:
            adj = drop_entries(adj, self.edge_dropout)
        if self.variant == "ncnc":
            return self._score_completed(x, adj, edge_label_index)
        return self._score(x, adj, edge_label_index)
