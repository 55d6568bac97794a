"""Chooses which layers, heads and FFN channels to keep so that a FLOPs budget is met."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Optional, Sequence

import torch
from torch import Tensor

from graphkit.errors import ConfigError
from graphkit.sparsify.gps_flops import GraphSizes, eval_passes, layer_flops, layer_spec, model_flops
from graphkit.sparsify.masked_gps import MaskedGPS


@dataclass(frozen=True)
class PlanCosts:
    """FLOPs of any plan on fixed graphs, in closed form: a layer's FLOPs are linear in its
    kept heads and FFN channels, so ``flops = const + sum_i keep_i * (base_i + heads_i *
    per_head_i + ffn_i * per_channel_i)``. Works on floats and on tensors (expected FLOPs
    under gate probabilities, differentiable).

    Args:
        const: encoders and head.
        per_layer: ``(base, per_head, per_channel)`` of each layer.
        dense: FLOPs of the unpruned model (no token/edge pruning, no scorers).
    """

    const: float
    per_layer: tuple[tuple[float, float, float], ...]
    dense: float

    @staticmethod
    def of(masked: MaskedGPS, sizes: Sequence[GraphSizes]) -> "PlanCosts":
        const = sum(model_flops(masked.base, [], masked.channels, s).total for s in sizes)
        passes = eval_passes(masked.base)
        per_layer = []
        for spec in masked.layer_specs():
            def cost(heads: int, ffn: int) -> float:
                sp = dataclasses.replace(spec, heads=heads if masked.has_attention else 0, ffn_channels=ffn)
                return passes * sum(float(v) for s in sizes for v in layer_flops(sp, masked.channels, s).values())
            base = cost(0, 0)
            per_layer.append((base, cost(1, 0) - base, cost(0, 1) - base))
        dense = const + passes * sum(float(v) for layer in masked.base.layers for s in sizes
                                     for v in layer_flops(layer_spec(layer), masked.channels, s).values())
        return PlanCosts(const, tuple(per_layer), dense)

    def flops(self, layer, heads, ffn):
        """FLOPs with layer weights ``layer [L]``, kept heads ``heads [L]`` and channels ``ffn [L]``."""
        return self.const + sum(layer[i] * (b + ph * heads[i] + pf * ffn[i])
                                for i, (b, ph, pf) in enumerate(self.per_layer))

    def ratio(self, layer, heads, ffn):
        return self.flops(layer, heads, ffn) / self.dense


def select_plan(masked: MaskedGPS, sizes: Sequence[GraphSizes], target_flops: float,
                scores: dict[str, Optional[Tensor]]) -> tuple[Tensor, Tensor, Tensor]:
    """Greedy 0/1 plan: remove units (layers, heads, FFN channels) in ascending score
    until the plan's FLOPs on ``sizes`` are at most ``target_flops`` times the dense
    model's, then put back, in descending score, every removed unit that still fits, so
    the plan ends as close under the budget as its units allow. Scores of different
    kinds are compared directly (learned gates: their log-odds); a kind whose score is
    ``None`` is never removed. One layer always stays.

    Returns:
        ``layer_keep [L]``, ``head_keep [L, H]``, ``ffn_keep [L, W]`` as 0/1 floats.
    """

    n, h, w = masked.num_layers, max(masked.heads, 1), masked.ffn_width
    layer_keep, head_keep, ffn_keep = torch.ones(n), torch.ones(n, h), torch.ones(n, w)
    if not masked.has_attention:
        head_keep.zero_()
    costs = PlanCosts.of(masked, sizes)
    budget = target_flops * costs.dense

    def total() -> float:
        return costs.flops(layer_keep.tolist(), head_keep.sum(1).tolist(), ffn_keep.sum(1).tolist())

    units: list[tuple[float, int, str, int, int]] = []
    order = {"layer": 0, "head": 1, "ffn": 2}
    for kind, score in scores.items():
        if score is None:
            continue
        score = score.detach().double().cpu()
        if kind == "layer":
            units += [(float(score[i]), order[kind], kind, i, 0) for i in range(n)]
        else:
            units += [(float(score[i, j]), order[kind], kind, i, j)
                      for i in range(n) for j in range(score.size(1))]
    units.sort(key=lambda u: (u[0], u[1]))
    keep = {"layer": layer_keep.view(n, 1), "head": head_keep, "ffn": ffn_keep}  # layer units have j = 0
    current = total()
    removed: list[tuple[str, int, int]] = []
    for _, _, kind, i, j in units:
        if current <= budget:
            break
        if layer_keep[i] == 0:
            continue
        if kind == "layer" and int(layer_keep.sum()) == 1:
            continue
        keep[kind][i, j] = 0
        removed.append((kind, i, j))
        current = total()
    if current > budget:
        raise ConfigError(f"sparsify.target_flops={target_flops} cannot be reached by removing "
                          f"{', '.join(k for k, s in scores.items() if s is not None)} "
                          f"(reached {current / costs.dense:.3f})")
    # Fill back: the unit that crossed the budget can be far larger than the gap (a whole
    # layer is ~10 % of ZINC's GPS), which would leave a plan well under the budget and
    # methods compared at different FLOPs. Put back removed units, highest score first,
    # wherever they still fit.
    for kind, i, j in reversed(removed):
        keep[kind][i, j] = 1
        if total() > budget:
            keep[kind][i, j] = 0
    return layer_keep, head_keep, ffn_keep


def magnitude_scores(masked: MaskedGPS) -> dict[str, Optional[Tensor]]:
    """One-shot structured magnitude scores: a head's is the norm of its rows of the
    input projection times the norm of its columns of the output projection; an FFN
    channel's the norm of its ``ff1`` row times its ``ff2`` column. Each kind is divided
    by its mean so that the kinds compare. Layers have no magnitude score."""
    with torch.no_grad():
        heads = None
        if masked.has_attention:
            h, d, c = masked.heads, masked.head_channels, masked.channels
            rows = torch.stack([layer.global_model.in_proj.weight.view(3, h, d, c).pow(2).sum((0, 2, 3)).sqrt()
                                for layer in masked.base.layers])
            cols = torch.stack([layer.global_model.out_proj.weight.view(c, h, d).pow(2).sum((0, 2)).sqrt()
                                for layer in masked.base.layers])
            heads = rows * cols
            heads = heads / heads.mean()
        ffn = torch.stack([layer.ff1.weight.norm(dim=1) * layer.ff2.weight.norm(dim=0) for layer in masked.base.layers])
        ffn = ffn / ffn.mean()
    return {"layer": None, "head": heads, "ffn": ffn}


def random_scores(masked: MaskedGPS, seed: int) -> dict[str, Optional[Tensor]]:
    """Uniform random scores over heads and layers (the random-removal baseline)."""
    gen = torch.Generator().manual_seed(seed)
    heads = torch.rand(masked.num_layers, masked.heads, generator=gen) if masked.has_attention else None
    return {"layer": torch.rand(masked.num_layers, generator=gen), "head": heads, "ffn": None}


def learned_scores(masked: MaskedGPS) -> dict[str, Optional[Tensor]]:
    """The gates' log-odds: the gates the budget pushed furthest towards closed go first."""
    n = masked.num_layers
    return {
        "layer": masked.layer_gate.log_alpha if masked.layer_gate is not None else None,
        "head": masked.head_gate.log_alpha.view(n, masked.heads) if masked.head_gate is not None else None,
        "ffn": masked.ffn_gate.log_alpha.view(n, masked.ffn_width) if masked.ffn_gate is not None else None,
    }
