"""The compacted GraphGPS: a registered model whose config lists what each layer kept."""

from __future__ import annotations

from dataclasses import dataclass

from torch import nn

from graphkit.models.graph_gps import GraphGPS, GraphGPSConfig, build_encoders, mamba_kwargs
from graphkit.models.model_inputs import ModelInputs
from graphkit.sparsify.compact_gps_layer import COMPACT_LOCAL_CONVS, CompactGPSLayer


@dataclass(frozen=True)
class CompactGPSConfig(GraphGPSConfig):
    """Config of a sparsified GraphGPS (``model.name: gps_compact``), written by
    ``graphkit sparsify``: the dense config's fields plus, per kept layer, what survived.

    Args:
        head_channels: width of one attention head (the dense ``hidden_channels / heads``).
        layer_heads: kept attention heads of each kept layer (0: only the output bias of
            the global branch is left; with ``global_model`` performer or mamba, kept whole,
            the dense heads or 0); ``num_layers`` must equal its length.
        layer_ffn_channels: kept FFN hidden channels of each kept layer.
        layer_token_ratio: fraction of each graph's nodes in each layer's attention.
        layer_edge_ratio: fraction of each graph's edges in each layer's GINE aggregation.
    """

    head_channels: int = 16
    layer_heads: tuple[int, ...] = ()
    layer_ffn_channels: tuple[int, ...] = ()
    layer_token_ratio: tuple[float, ...] = ()
    layer_edge_ratio: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        super().__post_init__()
        n = self.num_layers
        lengths = {len(self.layer_heads), len(self.layer_ffn_channels), len(self.layer_token_ratio),
                   len(self.layer_edge_ratio)}
        if lengths != {n}:
            raise ValueError(f"model.layer_heads, layer_ffn_channels, layer_token_ratio and layer_edge_ratio "
                             f"must each have num_layers ({n}) entries")
        if self.local_conv not in COMPACT_LOCAL_CONVS:
            raise ValueError(f"gps_compact supports local_conv {', '.join(COMPACT_LOCAL_CONVS)}, "
                             f"not {self.local_conv!r}")
        if any(h < 0 or h > self.heads for h in self.layer_heads) or any(w < 0 for w in self.layer_ffn_channels):
            raise ValueError("model.layer_heads must be in [0, heads] and layer_ffn_channels >= 0")
        if any(not 0.0 < r <= 1.0 for r in self.layer_token_ratio + self.layer_edge_ratio):
            raise ValueError("model.layer_token_ratio and layer_edge_ratio entries must be in (0, 1]")


def compact_layers(cfg: CompactGPSConfig) -> nn.ModuleList:
    """The layers a :class:`CompactGPSConfig` describes."""
    return nn.ModuleList(
        CompactGPSLayer(cfg.hidden_channels, cfg.local_conv,
                        heads=None if cfg.global_model == "none" else cfg.layer_heads[i],
                        head_channels=cfg.head_channels, ffn_channels=cfg.layer_ffn_channels[i],
                        token_ratio=cfg.layer_token_ratio[i], edge_ratio=cfg.layer_edge_ratio[i],
                        norm=cfg.norm, global_model=cfg.global_model, attn_dropout=cfg.attn_dropout,
                        mamba_kwargs=mamba_kwargs(cfg), dense_heads=cfg.heads)
        for i in range(cfg.num_layers))


def build_compact_gps(cfg: CompactGPSConfig, inputs: ModelInputs) -> GraphGPS:
    """A :class:`GraphGPS` with :class:`CompactGPSLayer` layers."""
    return GraphGPS(
        hidden_channels=cfg.hidden_channels, num_layers=cfg.num_layers, out_channels=inputs.out_channels,
        level=inputs.level, **build_encoders(cfg, inputs),
        pool=cfg.pool, layers=compact_layers(cfg), head_layers=cfg.head_layers)
