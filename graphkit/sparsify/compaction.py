"""Turns a masked GraphGPS with a fixed 0/1 plan into the smaller model it describes."""

from __future__ import annotations

import copy
import dataclasses

import torch
from torch import Tensor, nn
from torch.nn.utils import parametrize

from graphkit.models.graph_gps import GraphGPS, GraphGPSConfig
from graphkit.sparsify.compact_gps import CompactGPSConfig, compact_layers
from graphkit.sparsify.masked_gps import MaskedGPS


def plain_state(module: nn.Module) -> dict[str, Tensor]:
    """``module.state_dict()`` with every parametrized weight replaced by its value
    (weight masks applied), under the parameter's own name."""
    state = module.state_dict()
    for name, m in module.named_modules():
        if not parametrize.is_parametrized(m):
            continue
        prefix = f"{name}." if name else ""
        for pname in list(m.parametrizations.keys()):
            for key in [k for k in state if k.startswith(f"{prefix}parametrizations.{pname}.")]:
                del state[key]
            state[f"{prefix}{pname}"] = getattr(m, pname).detach().clone()
    return state


def compact_config(masked: MaskedGPS, dense: GraphGPSConfig) -> CompactGPSConfig:
    """The :class:`CompactGPSConfig` of ``masked``'s fixed plan."""
    if not bool(masked.fixed):
        raise ValueError("compaction needs a fixed 0/1 plan (MaskedGPS.fix)")
    kept = [i for i in range(masked.num_layers) if float(masked.layer_keep[i]) > 0]
    fields = {f.name: getattr(dense, f.name) for f in dataclasses.fields(GraphGPSConfig)}
    fields.update(name="gps_compact", num_layers=len(kept))
    heads = [int(masked.head_keep[i].sum()) if masked.has_attention else 0 for i in kept]
    return CompactGPSConfig(
        **fields, head_channels=masked.head_channels or dense.hidden_channels // dense.heads,
        layer_heads=tuple(heads),
        layer_ffn_channels=tuple(int(masked.ffn_keep[i].sum()) for i in kept),
        layer_token_ratio=tuple(masked.token_ratio if masked.has_attention else 1.0 for _ in kept),
        layer_edge_ratio=tuple(masked.edge_ratio for _ in kept))


@torch.no_grad()
def compact(masked: MaskedGPS, dense: GraphGPSConfig) -> tuple[CompactGPSConfig, GraphGPS]:
    """The compacted model of ``masked``'s fixed plan, and its config.

    Closed layers are dropped, pruned heads' rows of the input projection and columns of
    the output projection are cut, pruned FFN channels' rows of ``ff1`` and columns of
    ``ff2`` are cut, and the token/edge scorers move into the layers. Unstructured weight
    masks are baked into the dense weights (zeros). The result computes, in evaluation
    mode, what ``masked`` computes in evaluation mode.
    """
    cfg = compact_config(masked, dense)
    base = masked.base
    layers = compact_layers(cfg)
    kept = [i for i in range(masked.num_layers) if float(masked.layer_keep[i]) > 0]
    h, d = masked.heads, masked.head_channels
    for j, i in enumerate(kept):
        src, dst = base.layers[i], layers[j]
        if src.local is not None:
            dst.local.load_state_dict(plain_state(src.local))
            dst.norm_local.load_state_dict(src.norm_local.state_dict())
        if masked.edge_scorers is not None:
            dst.edge_scorer.load_state_dict(masked.edge_scorers[i].state_dict())
        if src.global_model is not None:
            dst.norm_global.load_state_dict(src.norm_global.state_dict())
            attn = plain_state(src.global_model)
            heads = masked.head_keep[i].nonzero().squeeze(-1)
            if dst.attn is None:
                dst.attn_bias.copy_(attn["out_proj.bias"])
            else:
                c = masked.channels
                dst.attn.in_proj.weight.copy_(attn["in_proj.weight"].view(3, h, d, c)[:, heads].reshape(-1, c))
                dst.attn.in_proj.bias.copy_(attn["in_proj.bias"].view(3, h, d)[:, heads].reshape(-1))
                dst.attn.out_proj.weight.copy_(attn["out_proj.weight"].view(c, h, d)[:, heads].reshape(c, -1))
                dst.attn.out_proj.bias.copy_(attn["out_proj.bias"])
                if dst.attn.scorer is not None:
                    dst.attn.scorer.load_state_dict(masked.token_scorers[i].state_dict())
        ff1, ff2 = plain_state(src.ff1), plain_state(src.ff2)
        channels = masked.ffn_keep[i].nonzero().squeeze(-1)
        if dst.ff1 is None:
            dst.ff_bias.copy_(ff2["bias"])
        else:
            dst.ff1.weight.copy_(ff1["weight"][channels])
            dst.ff1.bias.copy_(ff1["bias"][channels])
            dst.ff2.weight.copy_(ff2["weight"][:, channels])
            dst.ff2.bias.copy_(ff2["bias"])
        dst.norm_ff.load_state_dict(src.norm_ff.state_dict())
    model = GraphGPS(
        hidden_channels=cfg.hidden_channels, num_layers=cfg.num_layers,
        out_channels=base.head[-1].out_features, level=base.level,
        node_encoder=copy.deepcopy(base.node_encoder), edge_encoder=copy.deepcopy(base.edge_encoder),
        rwse_encoder=copy.deepcopy(base.rwse_encoder), lap_encoder=copy.deepcopy(base.lap_encoder),
        layers=layers, pool=cfg.pool, head_layers=cfg.head_layers)
    model.head.load_state_dict(base.head.state_dict())
    if model.dummy_edge is not None and base.dummy_edge is not None:
        model.dummy_edge.copy_(base.dummy_edge)
    return cfg, model.eval()
