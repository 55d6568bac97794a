"""ADPA, Adaptive Directed Pattern Aggregation (Sun et al., "Breaking the Entanglement of
Homophily and Heterophily in Semi-supervised Node Classification", ICDE 2024,
https://arxiv.org/abs/2312.04111; reference code github.com/xkLi-Allen/AMUD-ADPA).

Precomputed (once per graph, no gradients), as in the paper: for every directed pattern
``P`` (:class:`DirectedPatternPropagator`) the features ``X_0 = X``, ``X_{k+1} = P (w_k
X_k)`` for ``k < num_steps``, with the reference's step weights ``w_k = ln(1/(k+1)) + 1``.
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

from dataclasses import dataclass

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch_geometric.data import Data

from graphkit.config.run_config import ModelConfig
from graphkit.models.adpa.directed_patterns import DirectedPatternPropagator, pattern_words
from graphkit.models.model_inputs import ModelInputs


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

    Shapes:
        ``data.x [N, F]``, ``data.edge_index [2, E]`` (directed) -> ``[N, out_channels]``
    """

    def __init__(self, in_channels: int, hidden_channels: int, out_channels: int, num_layers: int = 1,
                 dropout: float = 0.5, num_steps: int = 2, order: int = 2, r: float = 0.5) -> None:
        super().__init__()
        self.num_steps, self.order, self.r, self.dropout = num_steps, order, r, dropout
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
        self._features: Tensor | None = None

    @torch.no_grad()
    def precompute(self, x: Tensor, edge_index: Tensor) -> Tensor:
        """``[patterns, num_steps, N, F]``: the propagated features of steps 1..K (step 0,
        ``x`` itself, is shared by every pattern and not repeated)."""
        x = x.float().cpu()
        propagator = DirectedPatternPropagator(edge_index, x.size(0), self.order, self.r)
        weights = step_weights(self.num_steps)
        out = torch.empty(len(self.words), self.num_steps, *x.shape)
        for p, word in enumerate(propagator.words):
            h = x
            for k in range(self.num_steps):
                h = out[p, k] = propagator.propagate(word, weights[k] * h)
        return out

    def _propagated(self, data: Data) -> tuple[Tensor, Tensor]:
        """(``x`` — sparse when at most 10% of it is non-zero, as bag-of-words features are —,
        the precomputed ``[P, K, N, F]``), computed once per graph."""
        key = (data.edge_index.data_ptr(), data.x.data_ptr(), tuple(data.edge_index.shape),
               tuple(data.x.shape), str(data.x.device))
        if key != self._cache_key:
            x = data.x.float()
            sparse = x.to_sparse() if (x != 0).float().mean() <= 0.1 else None
            self._features = (sparse, self.precompute(x, data.edge_index).to(x.device))
            self._cache_key = key
        return self._features

    @staticmethod
    def _matmul(x: Tensor, sparse: Tensor | None, weight: Tensor) -> Tensor:
        return torch.sparse.mm(sparse, weight) if sparse is not None else x @ weight

    def node_wise_attention(self, x: Tensor, feats: Tensor, sparse: Tensor | None = None) -> Tensor:
        """``x [N, F]`` and ``feats [P, K, N, F]`` (hops 1..K) -> ``[P, N, hidden]``: each
        node's softmax over its hops ``X_0 = x, X_1 … X_K``, followed by the first linear
        layer of its pattern's branch.

        The first layer is linear and the hop weights sum to 1, so ``W (Σ_k a_k X_k) + b =
        Σ_k a_k (X_k W) + b``: one product per pattern maps every hop to the layer's width
        and to its two attention scores at once, and the weighted sum runs on ``hidden``
        columns instead of ``F`` (the same function as weighting first, read once). Hop 0 is
        the same ``x`` for every pattern: one product (sparse when ``sparse`` is given)."""
        p, steps, n, f = feats.shape
        hops = steps + 1
        first = [layers[0] for layers in self.branches[1:]]
        hidden = first[0].out_features
        width = hidden + 1 + hops
        weight = torch.stack([layer.weight for layer in first]).transpose(1, 2)  # [P, F, hidden]
        columns = torch.cat([weight, self.hop_own.unsqueeze(2), self.hop_ref.transpose(1, 2)], dim=2)  # [P, F, C]
        z0 = self._matmul(x, sparse, columns.transpose(0, 1).reshape(f, p * width))  # [N, P * C]
        z0 = z0.view(n, p, width).transpose(0, 1).unsqueeze(1)  # [P, 1, N, C]
        z = torch.cat([z0, torch.bmm(feats.view(p, steps * n, f), columns).view(p, steps, n, width)], 1)
        reference = z[..., hidden + 1:].diagonal(dim1=1, dim2=3).sum(-1).unsqueeze(1)  # [P, 1, N]
        scores = torch.sigmoid(z[..., hidden] + reference + self.hop_bias.view(-1, 1, 1))  # [P, K+1, N]
        weights = torch.softmax(scores, dim=1).unsqueeze(-1)  # over hops, [P, K+1, N, 1]
        bias = torch.stack([layer.bias for layer in first]).unsqueeze(1)  # [P, 1, hidden]
        return (weights * z[..., :hidden]).sum(1) + bias  # [P, N, hidden]

    def forward(self, data: Data) -> Tensor:
        sparse, feats = self._propagated(data)
        x = data.x.float()
        first = self.branches[0][0]
        raw = self._matmul(x, sparse, first.weight.t()) + first.bias
        firsts = [raw] + list(self.node_wise_attention(x, feats, sparse).unbind(0))
        outs = []
        for weight, layers, h in zip(self.pattern_weight, self.branches, firsts):
            h = F.dropout(F.relu(h), p=self.dropout, training=self.training)
            for layer in layers[1:]:
                h = F.dropout(F.relu(layer(h)), p=self.dropout, training=self.training)
            outs.append(weight * h)  # pattern-wise attention
        return self.head(torch.cat(outs, dim=-1))  # [N, out]


def build_adpa(cfg: ADPAConfig, inputs: ModelInputs) -> ADPA:
    """Turns the config and the data's sizes into an :class:`ADPA`."""
    if inputs.level != "node":
        raise ValueError(f"adpa is a node-level model; this task is {inputs.level}-level")
    return ADPA(inputs.num_features, cfg.hidden_channels, inputs.out_channels, num_layers=cfg.num_layers,
                dropout=cfg.dropout, num_steps=cfg.num_steps, order=cfg.order, r=cfg.r)
