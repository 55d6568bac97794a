"""POT's node compactness: a certified lower bound, over every graph an edge-dropping
augmentation can produce, of how well a node follows the contrastive principle.

Yu et al., Provable Training for Graph Contrastive Learning (POT), NeurIPS 2023,
https://arxiv.org/abs/2309.13944. For node ``i`` of view 1 the quantity is

    f_i = min over augmented graphs of  h_i · (ẑ'_i - 1/(N-1) Σ_{j≠i} ẑ'_j)

(``h`` the encoder's output on the augmented graph, ``ẑ'`` the unit-norm embeddings of
the other view): positive when ``i`` is closer to its positive than to the mean of its
negatives under *every* augmentation in the range. The range (the paper's, and its code's
``local_changes``) lets node ``i`` lose at most ``δ_i = min(d_i - 1, round(p d_i))`` of
its ``d_i`` edges, so every entry of the normalized adjacency ``Â = D̃^-1/2 (A + I) D̃^-1/2``
lies in ``[L_ij, U_ij]``: ``U_ij = 1/sqrt((d̃_i - δ_i)(d̃_j - δ_j))`` on the edges and
self-loops, ``L_ij = 0`` off the diagonal and ``1/d̃_i`` on it. Features are the view's.

The bound is propagated through the GCN layers as intervals (IBP) and, at the output,
CROWN's linear relaxation of the last activation is substituted back through the last
aggregation (the paper's bound propagation), keeping the better of the two. Unlike the
authors' code, which evaluates the relaxed score on the sampled view with its hidden
layer taken from the clean graph, the result is a bound over the whole range:
``tests/pretrain/gcl/test_node_compactness.py`` samples augmentations and checks that
none falls below it.

:func:`view_compactness` is the kind of score POT's code trains on instead: linear
relaxations set by the range, evaluated on the sampled view's own adjacency rather than
minimised over the range. It lower-bounds the view's own ``h_i · w_i`` only, so it sits
far closer to the true value than the certified bound (negative for most nodes of a
trained GRACE encoder), and its BCE pulls less against InfoNCE. Where the authors' code
takes the second layer's bounds from the clean graph's hidden layer, relaxes the first
activation with the target node's own bounds and applies each node's coefficients to its
own features, graphkit keeps valid interval bounds and applies node ``i``'s coefficients
to its neighbours' activations, so the score stays a lower bound of the view's value.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Optional

import torch
import torch.nn.functional as F
from torch import Tensor
from torch_geometric.nn.conv.gcn_conv import gcn_norm
from torch_geometric.utils import degree, remove_self_loops

from graphkit.models.model_hooks import BoundedGCN


@dataclass(frozen=True, eq=False)
class AdjacencyRange:
    """Entry-wise range of the GCN-normalized adjacency under bounded edge dropping.

    Args:
        index: ``[2, E + N]`` (target, source) pairs: the graph's edges and self-loops.
        lower, upper: ``[E + N]`` bounds of each entry.
        budget: ``[N]`` edges each node may lose (``δ_i``).
    """

    index: Tensor
    lower: Tensor
    upper: Tensor
    budget: Tensor

    @property
    def num_nodes(self) -> int:
        return self.budget.numel()

    @cached_property
    def matrices(self) -> dict[str, Tensor]:
        """``lower``, ``upper``, ``centre`` and ``radius`` as sparse (coalesced COO) matrices, built once."""
        n = self.num_nodes
        values = {"lower": self.lower, "upper": self.upper,
                  "centre": (self.upper + self.lower) / 2, "radius": (self.upper - self.lower) / 2}
        return {k: torch.sparse_coo_tensor(self.index, v, (n, n), check_invariants=False).coalesce()
                for k, v in values.items()}

    def matmul(self, which: str, dense: Tensor) -> Tensor:
        """``M @ dense`` for ``M`` one of :attr:`matrices`."""
        return self.matrices[which] @ dense


def drop_budget(num_edges: Tensor, drop_rate: float) -> Tensor:
    """``δ_i = min(max(d_i - 1, 0), round(p d_i))``: at most a share ``p`` of a node's edges,
    and never its last one (the authors' code)."""
    return torch.minimum((num_edges - 1).clamp_min(0), torch.round(drop_rate * num_edges))


def adjacency_range(edge_index: Tensor, num_nodes: int, drop_rate: float) -> AdjacencyRange:
    """The range of ``Â`` when each node loses at most ``drop_budget`` incoming edges of
    ``edge_index`` (an undirected graph stored with both directions)."""
    edge_index, _ = remove_self_loops(edge_index)
    deg = degree(edge_index[1], num_nodes)  # incoming edges, GCNConv's normalization side
    budget = drop_budget(deg, drop_rate)
    loops = torch.arange(num_nodes, device=edge_index.device)
    target = torch.cat([edge_index[1], loops])
    source = torch.cat([edge_index[0], loops])
    least = (deg + 1 - budget).rsqrt()
    upper = least[target] * least[source]
    lower = torch.cat([torch.zeros(edge_index.size(1), device=deg.device), 1.0 / (deg + 1)])
    return AdjacencyRange(index=torch.stack([target, source]), lower=lower, upper=upper, budget=budget)


def _act_range(lower: Tensor, upper: Tensor, act, alpha: float) -> tuple[Tensor, Tensor]:
    """Range of a leaky ReLU of slope ``alpha`` over ``[lower, upper]`` (monotone unless
    ``alpha < 0``, when the kink at 0 may hold the minimum)."""
    if alpha >= 0:
        return act(lower), act(upper)
    a, b = act(lower), act(upper)
    crosses = (lower < 0) & (upper > 0)
    return torch.where(crosses, torch.zeros_like(a), torch.minimum(a, b)), torch.maximum(a, b)


def _aggregate_range(rng: AdjacencyRange, low: Tensor, high: Tensor) -> tuple[Tensor, Tensor]:
    """Range of ``Â P`` over ``Â ∈ [L, U]`` (entries >= 0) and ``P ∈ [low, high]``."""
    if low is high:  # exact P: centre ± radius, two products instead of four
        centre, radius = rng.matmul("centre", low), rng.matmul("radius", low.abs())
        return centre - radius, centre + radius
    high_pos, low_pos = F.relu(high), F.relu(low)
    upper = rng.matmul("upper", high_pos) + rng.matmul("lower", high - high_pos)
    lower = rng.matmul("lower", low_pos) + rng.matmul("upper", low - low_pos)
    return lower, upper


def preactivation_bounds(model: BoundedGCN, x: Tensor, rng: AdjacencyRange,
                         first_product: Optional[Tensor] = None) -> list[tuple[Tensor, Tensor]]:
    """Interval bounds ``(l, u)`` of every layer's pre-activation over the range
    (``first_product``: ``x @ W_1`` if the caller has it)."""
    bounds = []
    alpha = model.negative_slope()
    h_low = h_high = x
    for i, (weight, bias) in enumerate(model.gcn_layers()):
        if h_low is h_high:  # exact: the input does not vary
            p_low = p_high = first_product if (i == 0 and first_product is not None) else h_low @ weight
        else:
            centre, radius = (h_high + h_low) / 2 @ weight, (h_high - h_low) / 2 @ weight.abs()
            p_low, p_high = centre - radius, centre + radius
        low, high = _aggregate_range(rng, p_low, p_high)
        low, high = low + bias, high + bias
        bounds.append((low, high))
        h_low, h_high = _act_range(low, high, model.act, alpha)
    return bounds


def _lines(lower: Tensor, upper: Tensor, alpha: float) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """``(s_below, c_below, s_above, c_above)``: lines with ``s_below z + c_below <= σ(z) <=
    s_above z + c_above`` on ``[lower, upper]``, σ the leaky ReLU of slope ``alpha`` (CROWN: the
    chord on one side, a line through the origin on the other). A stable unit (one sign over
    its interval) gets its own linear piece on both sides."""
    span = upper - lower
    origin_slope = torch.where(upper + lower >= 0, 1.0, alpha)  # 1 or alpha: a subgradient at 0
    chord_slope = torch.where(span > 1e-12, (F.leaky_relu(upper, alpha) - F.leaky_relu(lower, alpha))
                              / span.clamp_min(1e-12), origin_slope)
    chord_shift = F.leaky_relu(lower, alpha) - chord_slope * lower
    zero = torch.zeros((), dtype=lower.dtype, device=lower.device)
    if alpha <= 1.0:  # σ convex: the chord lies above it
        return origin_slope, zero, chord_slope, chord_shift
    return chord_slope, chord_shift, origin_slope, zero


def _relaxation(lower: Tensor, upper: Tensor, w: Tensor, alpha: float) -> tuple[Tensor, Tensor]:
    """``(λ, c)`` with ``w σ(z) >= λ z + c`` on ``[lower, upper]``: the lower line where
    ``w >= 0``, the upper one where ``w < 0`` (sign split by clamping: no masks)."""
    s_below, c_below, s_above, c_above = _lines(lower, upper, alpha)
    w_pos, w_neg = w.clamp_min(0), w.clamp_max(0)
    return w_pos * s_below + w_neg * s_above, w_pos * c_below + w_neg * c_above


def compactness_direction(h_other: Tensor) -> Tensor:
    """``w_i = ẑ_i - 1/(N-1) Σ_{j≠i} ẑ_j`` from the other view's embeddings (``[N, d]``)."""
    z = F.normalize(h_other, dim=-1)
    n = z.size(0)
    return z * (n / (n - 1)) - z.sum(0, keepdim=True) / (n - 1)


def node_compactness(model: BoundedGCN, x: Tensor, rng: AdjacencyRange, direction: Tensor,
                     first_product: Optional[Tensor] = None) -> Tensor:
    """Certified lower bound of ``h_i(Â) · direction_i`` over ``Â`` in ``rng`` (``[N]``).

    Args:
        model: the GCN encoder (its layers, activation and slope).
        x: ``[N, F]`` the view's node features.
        rng: the adjacency range (:func:`adjacency_range`).
        direction: ``[N, d]`` (:func:`compactness_direction` of the other view).
        first_product: ``x @ W_1`` when the caller has computed it.
    """
    bounds = preactivation_bounds(model, x, rng, first_product)
    alpha = model.negative_slope()
    low, high = bounds[-1]
    out_low, out_high = _act_range(low, high, model.act, alpha)
    interval = (F.relu(direction) * out_low - F.relu(-direction) * out_high).sum(-1)
    # CROWN: w·σ(z_i) >= λ_i·z_i + c_i, and z_i = Σ_j Â_ij H_j W + b
    slope, shift = _relaxation(low, high, direction, alpha)
    weight, bias = model.gcn_layers()[-1]
    if len(bounds) > 1:
        h_low, h_high = _act_range(*bounds[-2], model.act, alpha)
    else:
        h_low = h_high = x
    v = slope @ weight.t()  # [N, width of the last layer's input]
    target, source = rng.index
    # min over H_j in its box of H_j · v_i = v_i · centre_j - |v_i| · radius_j, per entry (i, j) of Â
    g = (v[target] * ((h_high + h_low) / 2)[source]).sum(-1) - (v.abs()[target] * ((h_high - h_low) / 2)[source]).sum(-1)
    entry = rng.lower * F.relu(g) - rng.upper * F.relu(-g)  # min over Â_ij in [L, U], L >= 0
    crown = torch.zeros_like(interval).index_add_(0, target, entry) + slope @ bias + shift.sum(-1)
    return torch.maximum(interval, crown)


def view_compactness(model: BoundedGCN, x: Tensor, rng: AdjacencyRange, direction: Tensor,
                     view_edge_index: Tensor, first_product: Optional[Tensor] = None) -> Tensor:
    """POT's training score: CROWN's linear lower bound of ``h_i(Â') · direction_i`` at the
    sampled view ``Â'`` itself (``[N]``), the form the authors' code trains on.

    The relaxation of every activation (the last one's and, for two or more layers, the
    one before it) has its lines fixed by the interval bounds over ``rng``; the linear
    function is then evaluated on the view's adjacency and pre-activations. The result
    never exceeds the view's true value when the view lies in ``rng`` (tested), and its
    gradient still rewards tight, stable bounds, which is what the regularizer trains.

    Args:
        model, x, rng, direction, first_product: as :func:`node_compactness`.
        view_edge_index: the view's edges (``[2, E']``, both directions), self-loops added here.
    """
    n = x.size(0)
    bounds = preactivation_bounds(model, x, rng, first_product)
    alpha = model.negative_slope()
    layers = model.gcn_layers()
    index, norm = gcn_norm(view_edge_index, None, n, add_self_loops=True)
    # messages flow source (row 0) -> target (row 1): row i of the matrix aggregates into i
    adj = torch.sparse_coo_tensor(torch.stack([index[1], index[0]]), norm, (n, n), check_invariants=False).coalesce()
    slope, shift = _relaxation(*bounds[-1], direction, alpha)
    weight, bias = layers[-1]
    constant = slope @ bias + shift.sum(-1)
    if len(layers) == 1:
        product = first_product if first_product is not None else x @ weight
        return (slope * (adj @ product)).sum(-1) + constant
    h = x
    for i, (w, b) in enumerate(layers[:-1]):  # the view's pre-activations up to the last layer's input
        product = first_product if (i == 0 and first_product is not None) else h @ w
        z = adj @ product + b
        h = model.act(z)
    s_below, c_below, s_above, c_above = _lines(*bounds[-2], alpha)
    below, above = s_below * z + c_below, s_above * z + c_above
    v = slope @ weight.t()  # w_i · σ(z_L,i) >= Σ_j Â'_ij σ(z_j) · v_i + constant_i
    # Â' >= 0, so v_i · σ(z_j) >= relu(v_i) · below_j - relu(-v_i) · above_j entry-wise
    return (F.relu(v) * (adj @ below)).sum(-1) - (F.relu(-v) * (adj @ above)).sum(-1) + constant
