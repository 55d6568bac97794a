"""ADPA, Adaptive Directed Pattern Aggregation (Sun et al., "Breaking the Entanglement of
Homophily and Heterophily in Semi-supervised Node Classification", ICDE 2024,
https://arxiv.org/abs/2312.04111; reference code github.com/xkLi-Allen/AMUD-ADPA).

Fixed (no weights), as in the paper: for every directed pattern ``P``
(:class:`DirectedPatternPropagator`) the features ``X_0 = X``, ``X_{k+1} = P (w_k X_k)`` for
``k < num_steps``, with the reference's step weights ``w_k = ln(1/(k+1)) + 1``. The reference
stores these ``[P, K, N, F]`` features once before training; so does this model when that
is cheaper (few features, many edges: tolokers). On bag-of-words graphs (``F ≈ N``,
chameleon, Cora-ML) storing them makes every epoch read ``P·K`` dense ``N × F`` matrices,
so instead the model maps ``X`` (sparse) to the first layers' width and propagates that,
``P (X W) = (P X) W`` (:meth:`ADPA.precompute_pays`, the same function either way).
Trained:

- node-wise attention per pattern: node ``i`` weighs its ``num_steps + 1`` propagated
  features by ``softmax_k(sigmoid(a_p · [X_0 | … | X_K]_i + b_p · (X_k)_i + c_p))``
  (the reference's "original" recursive attention, one linear scorer per pattern,
  evaluated in one product with the branch's first layer, without repeating the
  reference features ``K + 1`` times: :meth:`ADPA.node_wise_attention`);
- one MLP per branch (the raw features and every pattern);
- pattern-wise attention: a learned scalar per branch scales its output, the branches are
  concatenated and a linear layer classifies.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch_geometric.data import Data

from graphkit.config.run_config import ModelConfig
from graphkit.models.adpa.directed_patterns import DirectedPatternPropagator, pattern_words, sparse_pair, sparse_product
from graphkit.models.model_inputs import ModelInputs
from graphkit.nn.fast_dropout import fast_dropout


@dataclass(frozen=True)
class ADPAConfig(ModelConfig):
    """Args:
    hidden_channels: width of every branch MLP (reference default 32).
    num_layers: linear layers per branch (reference default 1).
    dropout: after every branch layer (reference default 0.64).
    num_steps: propagation steps per pattern (reference ``prop_steps``, default 2).
    order: longest directed pattern: 1 = ``A, Aᵀ``; 2 adds ``AA, AAᵀ, AᵀA, AᵀAᵀ`` (the paper's).
    r: normalization exponent of ``D^(r-1) M D^(-r)`` (reference default 0.43).
    """

    hidden_channels: int = 32
    num_layers: int = 1
    dropout: float = 0.5
    num_steps: int = 2
    order: int = 2
    r: float = 0.5

    def __post_init__(self) -> None:
        if self.hidden_channels < 1 or self.num_layers < 1 or self.num_steps < 1 or self.order < 1:
            raise ValueError("model.hidden_channels, num_layers, num_steps and order must be >= 1")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError("model.dropout must be in [0, 1)")


def step_weights(num_steps: int) -> list[float]:
    """The reference's propagation weights ``ln(1 / (k + 1)) + 1 + 1e-6``, ``k < num_steps``."""
    return [math.log(1.0 / (k + 1)) + 1.0 + 1e-6 for k in range(num_steps)]


class ADPA(nn.Module):
    """Adaptive Directed Pattern Aggregation for node classification.

    Args:
        in_channels, hidden_channels, out_channels, num_layers, dropout: as usual.
        num_steps, order, r: see :class:`ADPAConfig`.
        precompute: ``True`` stores the propagated features ``[P, K, N, F]`` once (the
            reference's way); ``False`` maps ``X`` to the first layers' width first and
            propagates that, every forward pass (exact: the patterns and the first layer are
            linear, ``P (X W) = (P X) W``); ``None`` (default) picks the one with fewer
            multiply-adds per epoch (:meth:`precompute_pays`).

    Shapes:
        ``data.x [N, F]``, ``data.edge_index [2, E]`` (directed) -> ``[N, out_channels]``
    """

    def __init__(self, in_channels: int, hidden_channels: int, out_channels: int, num_layers: int = 1,
                 dropout: float = 0.5, num_steps: int = 2, order: int = 2, r: float = 0.5,
                 precompute: bool | None = None) -> None:
        super().__init__()
        self.num_steps, self.order, self.r, self.dropout = num_steps, order, r, dropout
        self.precompute_features = precompute
        self.words = pattern_words(order)
        branches = len(self.words) + 1  # the raw features, then every pattern
        hops = num_steps + 1
        # node-wise attention scorer of each pattern: [reference (hops * F) | candidate (F)] -> 1
        self.hop_ref = nn.Parameter(torch.empty(len(self.words), hops, in_channels))
        self.hop_own = nn.Parameter(torch.empty(len(self.words), in_channels))
        self.hop_bias = nn.Parameter(torch.zeros(len(self.words)))
        self.branches = nn.ModuleList(
            nn.ModuleList(nn.Linear(in_channels if i == 0 else hidden_channels, hidden_channels)
                          for i in range(num_layers)) for _ in range(branches))
        self.pattern_weight = nn.Parameter(torch.randn(branches))
        self.head = nn.Linear(branches * hidden_channels, out_channels)
        bound = 1.0 / math.sqrt((hops + 1) * in_channels)  # nn.Linear's init for the joint scorer
        nn.init.uniform_(self.hop_ref, -bound, bound)
        nn.init.uniform_(self.hop_own, -bound, bound)
        self._cache_key: tuple | None = None
        self._prepared_graph: _Prepared | None = None

    @torch.no_grad()
    def precompute(self, x: Tensor, edge_index: Tensor) -> Tensor:
        """``[patterns, num_steps, N, F]``: the propagated features of steps 1..K (step 0,
        ``x`` itself, is shared by every pattern and not repeated)."""
        x = x.float().cpu()
        propagator = DirectedPatternPropagator(edge_index.cpu(), x.size(0), self.order, self.r)
        weights = step_weights(self.num_steps)
        out = torch.empty(len(self.words), self.num_steps, *x.shape)
        for p, word in enumerate(propagator.words):
            h = x
            for k in range(self.num_steps):
                h = out[p, k] = propagator.propagate(word, weights[k] * h)
        return out

    def precompute_pays(self, num_nodes: int, num_features: int, num_edges: int) -> bool:
        """Whether storing the propagated features costs fewer multiply-adds per epoch than
        propagating the mapped ones. Per output column, the stored features are read
        ``P·K·N·F`` times; propagating reads each pattern's letters, ``K Σ_w |w| (E + N)``
        (sparse products counted 4× a dense one). Bag-of-words graphs (chameleon, Cora-ML:
        F ≈ N) propagate; graphs with few features and many edges (tolokers) precompute."""
        letters = self.num_steps * sum(len(w) for w in self.words)
        return len(self.words) * self.num_steps * num_nodes * num_features < 4 * letters * (num_edges + num_nodes)

    def _prepared(self, data: Data) -> _Prepared:
        """The per-graph constants, computed once per graph: ``x`` as CSR with its
        transpose when at most 10% of it is non-zero (bag-of-words features), and either the
        stored propagated features or the pattern operators."""
        key = (data.edge_index.data_ptr(), data.x.data_ptr(), tuple(data.edge_index.shape),
               tuple(data.x.shape), str(data.x.device))
        if key != self._cache_key:
            x = data.x.float()
            sparse = sparse_pair(x) if (x != 0).float().mean() <= 0.1 else None
            stored = self.precompute_features
            if stored is None:
                stored = self.precompute_pays(x.size(0), x.size(1), data.edge_index.size(1))
            if stored:
                prepared = _Prepared(sparse, self.precompute(x, data.edge_index).to(x.device), None)
            else:
                propagator = DirectedPatternPropagator(data.edge_index, x.size(0), self.order, self.r)
                prepared = _Prepared(sparse, None, propagator)
            self._prepared_graph, self._cache_key = prepared, key
        return self._prepared_graph

    def _first_columns(self) -> Tensor:
        """``[F, hidden + P·(hidden + 1 + hops)]``: the raw branch's first layer, then per
        pattern its first layer, its own-hop scorer and its reference scorer (one per hop)."""
        first = [layers[0] for layers in self.branches[1:]]
        weight = torch.stack([layer.weight for layer in first]).transpose(1, 2)  # [P, F, hidden]
        columns = torch.cat([weight, self.hop_own.unsqueeze(2), self.hop_ref.transpose(1, 2)], dim=2)  # [P, F, C]
        p, f, width = columns.shape
        return torch.cat([self.branches[0][0].weight.t(), columns.transpose(0, 1).reshape(f, p * width)], dim=1)

    def hop_projections(self, data: Data) -> tuple[Tensor, Tensor]:
        """``(raw [N, hidden], z [K+1, N, P, C])``: the raw branch's first layer (no bias)
        and, per hop ``X_k`` and pattern, ``X_k`` times ``[first layer | own scorer |
        reference scorers]`` (``C = hidden + 1 + K + 1``)."""
        prepared = self._prepared(data)
        x = data.x.float()
        columns = self._first_columns()
        hidden = self.branches[0][0].out_features
        p = len(self.words)
        y = sparse_product(*prepared.sparse_x, columns) if prepared.sparse_x is not None else x @ columns
        raw, z0 = y[:, :hidden], y[:, hidden:].view(x.size(0), p, -1)  # [N, hidden], [N, P, C]
        if prepared.features is not None:
            feats = prepared.features  # [P, K, N, F]
            _, steps, n, f = feats.shape
            pattern_cols = columns[:, hidden:].view(f, p, -1).transpose(0, 1)  # [P, F, C]
            hops = torch.bmm(feats.view(p, steps * n, f), pattern_cols).view(p, steps, n, -1)
            return raw, torch.cat([z0.unsqueeze(0), hops.permute(1, 2, 0, 3)], dim=0)
        # X_{k+1} = P (w_k X_k) is linear, so X_{k+1} C = w_k P (X_k C): propagate C's width, not F's
        h, hops = z0, [z0]
        for weight in step_weights(self.num_steps):
            h = prepared.propagator.propagate_all(weight * h)  # [N, P, C]
            hops.append(h)
        return raw, torch.stack(hops)  # [K+1, N, P, C]

    def node_wise_attention(self, z: Tensor) -> Tensor:
        """``z [K+1, N, P, C]`` (:meth:`hop_projections`) -> ``[N, P, hidden]``: each node's
        softmax over its hops ``X_0 … X_K``, followed by the first linear layer of its
        pattern's branch.

        The first layer is linear and the hop weights sum to 1, so ``W (Σ_k a_k X_k) + b =
        Σ_k a_k (X_k W) + b``: the weighted sum runs on ``hidden`` columns instead of ``F``
        (the same function as weighting first)."""
        first = [layers[0] for layers in self.branches[1:]]
        hidden = first[0].out_features
        lin, own, ref = z.split([hidden, 1, z.size(0)], dim=-1)
        reference = ref.diagonal(dim1=0, dim2=3).sum(-1)  # hop k's scorer on X_k, summed: [N, P]
        scores = torch.sigmoid(own.squeeze(-1) + reference + self.hop_bias)  # [K+1, N, P]
        weights = torch.softmax(scores, dim=0).unsqueeze(-1)  # over hops, [K+1, N, P, 1]
        return (weights * lin).sum(0) + torch.stack([layer.bias for layer in first])  # [N, P, hidden]

    def forward(self, data: Data) -> Tensor:
        raw, z = self.hop_projections(data)
        first = self.branches[0][0]
        h = torch.cat([(raw + first.bias).unsqueeze(1), self.node_wise_attention(z)], dim=1)  # [N, B, hidden]
        h = fast_dropout(F.relu(h), p=self.dropout, training=self.training)
        for i in range(1, len(self.branches[0])):  # the branches' further layers, side by side
            weight = torch.stack([layers[i].weight for layers in self.branches])  # [B, out, in]
            bias = torch.stack([layers[i].bias for layers in self.branches])  # [B, out]
            h = torch.einsum("nbi,boi->nbo", h, weight) + bias
            h = fast_dropout(F.relu(h), p=self.dropout, training=self.training)
        h = h * self.pattern_weight.view(1, -1, 1)  # pattern-wise attention
        return self.head(h.flatten(1))  # [N, out]


class _Prepared(NamedTuple):
    sparse_x: tuple[Tensor, Tensor] | None  # (X, Xᵀ) as CSR, or None for dense features
    features: Tensor | None  # stored [P, K, N, F], or None when propagating
    propagator: DirectedPatternPropagator | None


def build_adpa(cfg: ADPAConfig, inputs: ModelInputs) -> ADPA:
    """Turns the config and the data's sizes into an :class:`ADPA`."""
    if inputs.level != "node":
        raise ValueError(f"adpa is a node-level model; this task is {inputs.level}-level")
    return ADPA(inputs.num_features, cfg.hidden_channels, inputs.out_channels, num_layers=cfg.num_layers,
                dropout=cfg.dropout, num_steps=cfg.num_steps, order=cfg.order, r=cfg.r)
