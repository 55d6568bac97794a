"""Turns a masked GPS-family model with a fixed 0/1 plan into the smaller model it describes."""

from __future__ import annotations

import copy
import dataclasses
import warnings
from typing import Any

import torch
from torch import Tensor, nn
from torch.nn.utils import parametrize, skip_init

from graphkit.models.graph_gps import GraphGPS, GraphGPSConfig
from graphkit.nn.layers.gps_block import GPSBlock
from graphkit.sparsify.compact_gps import CompactGPSConfig, compact_layers
from graphkit.sparsify.compact_gps_layer import BiasMixer, EdgePrunedConv
from graphkit.sparsify.masked_gps import MaskedGPS
from graphkit.sparsify.pruned_self_attention import PrunedSelfAttention


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


def kept_layers(masked: MaskedGPS) -> list[int]:
    """Indices of the layers ``masked``'s fixed plan keeps."""
    if not bool(masked.fixed):
        raise ValueError("compaction needs a fixed 0/1 plan (MaskedGPS.fix)")
    return [i for i in range(masked.num_layers) if float(masked.layer_keep[i]) > 0]


def compact_config(masked: MaskedGPS, dense: Any) -> Any:
    """The config of ``masked``'s fixed plan: a :class:`CompactGPSConfig` for GraphGPS, the
    dense family's config with fewer layers and ``layer_ffn_channels`` otherwise."""
    kept = kept_layers(masked)
    ffn = tuple(int(masked.ffn_keep[i].sum()) for i in kept)
    if not isinstance(dense, GraphGPSConfig):
        return dataclasses.replace(dense, num_layers=len(kept), layer_ffn_channels=ffn)
    fields = {f.name: getattr(dense, f.name) for f in dataclasses.fields(GraphGPSConfig)}
    fields.update(name="gps_compact", num_layers=len(kept))
    if masked.has_attention:
        heads = [int(masked.head_keep[i].sum()) for i in kept]
    else:  # a mixer without head masks is kept whole
        heads = [dense.heads if dense.global_model == "performer" else 0 for _ in kept]
    return CompactGPSConfig(
        **fields, head_channels=masked.head_channels or dense.hidden_channels // dense.heads,
        layer_heads=tuple(heads), layer_ffn_channels=ffn,
        layer_token_ratio=tuple(masked.token_ratio if masked.has_attention else 1.0 for _ in kept),
        layer_edge_ratio=tuple(masked.edge_ratio for _ in kept))


def _copy_attention(src: nn.Module, dst: nn.Module, heads: Tensor, head_channels: int) -> None:
    attn = plain_state(src)
    if isinstance(dst, BiasMixer):
        dst.bias.copy_(attn["out_proj.bias"])
        return
    c, h, d = src.channels, src.heads, head_channels
    dst.in_proj.weight.copy_(attn["in_proj.weight"].view(3, h, d, c)[:, heads].reshape(-1, c))
    dst.in_proj.bias.copy_(attn["in_proj.bias"].view(3, h, d)[:, heads].reshape(-1))
    dst.out_proj.weight.copy_(attn["out_proj.weight"].view(c, h, d)[:, heads].reshape(c, -1))
    dst.out_proj.bias.copy_(attn["out_proj.bias"])


def _copy_block(masked: MaskedGPS, i: int, src: GPSBlock, dst: GPSBlock) -> None:
    """Loads kept layer ``i`` of ``masked`` into the smaller block ``dst``: pruned heads'
    rows of the input projection and columns of the output projection are cut, pruned FFN
    channels' rows of ``ff1`` and columns of ``ff2`` are cut, scorers move into the
    block's parts, every other part is copied whole (weight masks baked in)."""
    for name in ("norm_local", "norm_global", "norm_post", "norm_ff"):
        if getattr(src, name) is not None:
            getattr(dst, name).load_state_dict(getattr(src, name).state_dict())
    if src.local is not None:
        if isinstance(dst.local, EdgePrunedConv):
            dst.local.conv.load_state_dict(plain_state(src.local))
            dst.local.scorer.load_state_dict(masked.edge_scorers[i].state_dict())
        else:
            dst.local.load_state_dict(plain_state(src.local))
    for name in ("global_model", "post_model"):
        part, new = getattr(src, name), getattr(dst, name)
        if part is None:
            continue
        if isinstance(new, (PrunedSelfAttention, BiasMixer)):
            _copy_attention(part, new, masked.head_keep[i].nonzero().squeeze(-1), masked.head_channels)
            if isinstance(new, PrunedSelfAttention) and new.scorer is not None:
                new.scorer.load_state_dict(masked.token_scorers[i].state_dict())
        else:
            new.load_state_dict(plain_state(part))
    ff1, ff2 = plain_state(src.ff1), plain_state(src.ff2)
    channels = masked.ffn_keep[i].nonzero().squeeze(-1)
    dst.ff1.weight.copy_(ff1["weight"][channels])
    dst.ff1.bias.copy_(ff1["bias"][channels])
    dst.ff2.weight.copy_(ff2["weight"][:, channels])
    dst.ff2.bias.copy_(ff2["bias"])


def _compact_gps(masked: MaskedGPS, cfg: CompactGPSConfig) -> GraphGPS:
    base = masked.base
    model = GraphGPS(
        hidden_channels=cfg.hidden_channels, num_layers=cfg.num_layers,
        out_channels=base.head[-1].out_features, level=base.level,
        node_encoder=copy.deepcopy(base.node_encoder), edge_encoder=copy.deepcopy(base.edge_encoder),
        rwse_encoder=copy.deepcopy(base.rwse_encoder), lap_encoder=copy.deepcopy(base.lap_encoder),
        layers=compact_layers(cfg), pool=cfg.pool, head_layers=cfg.head_layers)
    model.head.load_state_dict(base.head.state_dict())
    if model.dummy_edge is not None and base.dummy_edge is not None:
        model.dummy_edge.copy_(base.dummy_edge)
    return model


def _compact_family(masked: MaskedGPS, ffn_channels: tuple[int, ...]) -> nn.Module:
    # the dense model with closed layers removed and each kept FFN at its kept width
    model = copy.deepcopy(masked.base)
    layers = model.layers
    kept = kept_layers(masked)
    for i in reversed(range(len(layers))):
        if i not in kept:
            del layers[i]
    # masked linear maps become plain ones that _copy_block loads (removing the
    # parametrization in place would also strip the original's, which shares its class);
    # skip_init: no random draws for weights that are overwritten
    for name, m in list(model.named_modules()):
        if parametrize.is_parametrized(m):
            parent, _, attr = name.rpartition(".")
            plain = skip_init(nn.Linear, m.in_features, m.out_features, bias=m.bias is not None)
            setattr(model.get_submodule(parent), attr, plain)
    for layer, width in zip(layers, ffn_channels):
        layer.masks = None
        channels = layer.ff1.in_features
        with warnings.catch_warnings():  # an FFN with no channel left: zero-size maps
            warnings.filterwarnings("ignore", "Initializing zero-element tensors")
            layer.ff1 = skip_init(nn.Linear, channels, width)
            layer.ff2 = skip_init(nn.Linear, width, channels)
    return model


@torch.no_grad()
def compact(masked: MaskedGPS, dense: Any) -> tuple[Any, nn.Module]:
    """The compacted model of ``masked``'s fixed plan, and its config.

    Closed layers are dropped, each kept layer's parts are cut to what the plan keeps
    (:func:`_copy_block`), and unstructured weight masks are baked into the dense weights
    (zeros). GraphGPS becomes a ``gps_compact`` model; GMN and GSM++ stay their own
    family, with ``layer_ffn_channels``. The result computes, in evaluation mode, what
    ``masked`` computes in evaluation mode.
    """
    cfg = compact_config(masked, dense)
    if isinstance(cfg, CompactGPSConfig):
        model = _compact_gps(masked, cfg)
    else:
        model = _compact_family(masked, cfg.layer_ffn_channels)
    for j, i in enumerate(kept_layers(masked)):
        _copy_block(masked, i, masked.base.layers[i], model.layers[j])
    return cfg, model.eval()
