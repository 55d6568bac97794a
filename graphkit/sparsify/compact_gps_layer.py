"""A GPS layer after structured pruning: kept heads, kept FFN channels, kept tokens and edges."""

from __future__ import annotations

from typing import Optional

import torch
from torch import Tensor, nn

from graphkit.nn.attention import global_model_inputs, global_model_resolver
from graphkit.nn.conv import local_conv_inputs, local_conv_resolver, updates_edges
from graphkit.nn.layers.gps_block import GPSBlock
from graphkit.sparsify.pruned_self_attention import PrunedSelfAttention
from graphkit.sparsify.token_selection import per_graph_topk

COMPACT_LOCAL_CONVS = ("gine", "gatedgcn", "none")


class EdgePrunedConv(nn.Module):
    """A local conv that aggregates only the ``ceil(edge_ratio * e_g)`` top-scored edges of
    each graph (GTSP's edge sparsification, the compacted form of an edge mask).

    Args:
        conv: the conv, called as ``conv(x, edge_index, edge_attr)``.
        channels: edge feature width ``C``.
        edge_ratio: fraction of each graph's edges kept, in (0, 1).

    Shapes:
        ``x [N, C]``, ``edge_index [2, E]``, ``edge_attr [E, C]``, ``batch [N]`` -> ``[N, C']``
    """

    def __init__(self, conv: nn.Module, channels: int, edge_ratio: float) -> None:
        super().__init__()
        self.conv, self.edge_ratio = conv, edge_ratio
        self.scorer = nn.Linear(channels, 1)

    def forward(self, x: Tensor, edge_index: Tensor, edge_attr: Tensor, batch: Optional[Tensor] = None) -> Tensor:
        if batch is None:
            batch = torch.zeros(x.size(0), dtype=torch.long, device=x.device)
        group = batch.index_select(0, edge_index[0])
        num_graphs = int(batch.max()) + 1 if x.size(0) else 0
        keep = per_graph_topk(self.scorer(edge_attr).squeeze(-1), group, self.edge_ratio, num_graphs)
        return self.conv(x, edge_index[:, keep], edge_attr[keep])


class BiasMixer(nn.Module):
    """What is left of an attention branch whose heads were all pruned: its output bias.

    Shapes:
        ``x [N, C]`` -> ``[C]`` (broadcast over the nodes)
    """

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.bias = nn.Parameter(torch.zeros(channels))

    def forward(self, x: Tensor) -> Tensor:
        return self.bias


class CompactGPSLayer(GPSBlock):
    """:class:`~graphkit.nn.layers.gps_layer.GPSLayer` in evaluation form with its pruned
    parts physically removed (no masks are multiplied at inference): a
    :class:`~graphkit.nn.layers.gps_block.GPSBlock` whose attention is a
    :class:`PrunedSelfAttention` (or a :class:`BiasMixer` when all heads were pruned), whose
    FFN has the kept channels (0 leaves ``norm(h + b2)``) and whose GINE aggregates the kept
    edges (:class:`EdgePrunedConv`). Dropout is omitted: compacted models are for
    inference and for the short fine-tuning of the sparsifier, which runs on the masked
    model. A global mixer other than attention (Performer, Mamba) is kept whole.

    Checkpoints of the former ``CompactGPSLayer`` (``attn.*``, ``attn_bias``, ``ff_bias``,
    ``edge_scorer.*``) load into the block's names.

    Args:
        channels: hidden width ``C``.
        local_conv: ``gine``, ``gatedgcn`` or ``none``.
        heads: kept attention heads (0 = only the bias survives; ``None`` = no global branch).
        head_channels: width of one head.
        ffn_channels: kept FFN hidden channels (0 = only the bias survives).
        token_ratio: fraction of each graph's nodes in the attention.
        edge_ratio: fraction of each graph's edges aggregated by the local branch
            (``gine`` only).
        norm: ``batch`` or ``layer``.
        global_model: ``transformer`` (default: pruned attention as above), ``performer``
            or ``mamba`` (kept whole; ``heads`` is then its dense head count or 0).
        attn_dropout, mamba_kwargs: settings of a kept ``performer`` or ``mamba`` mixer.
        dense_heads: the dense model's ``heads``, for a mixer kept whole that reads them (a
            plugin's mixer with heads of its own).

    Shapes:
        ``x [N, C]``, ``edge_index [2, E]``, ``edge_attr [E, C]``, ``batch [N]`` ->
        ``(x' [N, C], edge_attr' [E, C] or None)``
    """

    def __init__(self, channels: int, local_conv: str, heads: Optional[int], head_channels: int,
                 ffn_channels: int, token_ratio: float = 1.0, edge_ratio: float = 1.0,
                 norm: str = "batch", global_model: str = "transformer", attn_dropout: float = 0.0,
                 mamba_kwargs: Optional[dict] = None, dense_heads: int = 1) -> None:
        if local_conv not in COMPACT_LOCAL_CONVS:
            raise ValueError(f"compacted layers support local_conv {', '.join(COMPACT_LOCAL_CONVS)}, "
                             f"not {local_conv!r}")
        if edge_ratio < 1.0 and local_conv != "gine":
            raise ValueError("edge pruning (edge_ratio < 1) is implemented for local_conv gine")
        local = local_conv_resolver(local_conv, channels)
        local_inputs = local_conv_inputs(local_conv)
        renamed = {"attn_bias": "global_model.bias", "attn.": "global_model.", "ff_bias": "ff2.bias"}
        if edge_ratio < 1.0:
            local, local_inputs = EdgePrunedConv(local, channels, edge_ratio), (*local_inputs, "batch")
            renamed.update({"edge_scorer.": "local.scorer.", "local.": "local.conv."})
        if heads is None:
            mixer, inputs, kind = None, (), "none"
        elif global_model != "transformer":  # kept whole, built as in the dense model
            mixer = global_model_resolver(global_model, channels, heads or dense_heads, attn_dropout, mamba_kwargs)
            inputs, kind = global_model_inputs(global_model), global_model
        elif heads > 0:
            mixer = PrunedSelfAttention(channels, heads, head_channels, token_ratio)
            inputs, kind = ("batch", "padded"), "transformer" if token_ratio == 1.0 else "pruned"
        else:
            mixer, inputs, kind = BiasMixer(channels), (), "pruned"
        super().__init__(channels, local, mixer, local_inputs=local_inputs, global_inputs=inputs,
                         updates_edges=updates_edges(local_conv), ffn_channels=ffn_channels,
                         norm=norm, renamed=renamed, local_kind=local_conv, global_kind=kind)
        self.heads, self.head_channels, self.ffn_channels = heads, head_channels, ffn_channels
        self.token_ratio, self.edge_ratio = token_ratio, edge_ratio
        if not ffn_channels:
            self._register_load_state_dict_pre_hook(self._empty_ffn)

    def _empty_ffn(self, state: dict, prefix: str, *args) -> None:
        # the former layer kept only ``ff_bias`` (renamed to ff2.bias) for an FFN without channels
        for name, param in (("ff1.weight", self.ff1.weight), ("ff1.bias", self.ff1.bias),
                            ("ff2.weight", self.ff2.weight)):
            state.setdefault(prefix + name, param.new_zeros(param.shape))

    def extra_repr(self) -> str:
        return (f"local={self.local_kind}, global={self.global_kind}, heads={self.heads}, "
                f"ffn_channels={self.ffn_channels}, token_ratio={self.token_ratio}, edge_ratio={self.edge_ratio}")
