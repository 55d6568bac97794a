"""One GraphGPS layer: a local MPNN and a global mixer in parallel, then an FFN."""

from __future__ import annotations

from typing import Optional

from torch import Tensor

from graphkit.nn.attention import global_model_inputs, global_model_resolver
from graphkit.nn.conv import local_conv_inputs, local_conv_resolver, updates_edges
from graphkit.nn.layers.gps_block import GPSBlock


class GPSLayer(GPSBlock):
    """The layer of `GraphGPS <https://arxiv.org/abs/2205.12454>`_ (Rampášek et al.): a
    :class:`GPSBlock` with a local conv and a global mixer resolved from their names.

    ``h_local = norm(x + dropout(MPNN(x, E)))`` and ``h_global = norm(x +
    dropout(Attn(x)))`` are computed in parallel from the same input, summed, and passed
    through a 2x-wide ReLU FFN with residual and norm. GatedGCN applies its own dropout
    and residual (and returns updated edge features, carried to the next layer), as in
    the reference implementation.

    Args:
        channels: hidden width ``C``.
        local_conv: ``gine``, ``gatedgcn``, ``gat``, ``gcn``, ``pna`` or ``none``.
        global_model: ``transformer`` (full attention), ``performer`` (linear-time),
            ``mamba`` (bidirectional Mamba over degree-ordered nodes, Graph-Mamba) or
            ``none``.
        heads: attention heads (GAT's heads too).
        dropout: dropout after each branch and inside the FFN (default 0.0).
        attn_dropout: dropout inside the attention (default 0.0).
        norm: ``batch`` (default), ``layer`` or ``none``.
        deg: in-degree histogram for ``pna``.
        mamba_kwargs: keyword arguments of :class:`GraphSequenceMamba`.

    Shapes:
        ``x [N, C]``, ``edge_index [2, E]``, ``edge_attr [E, C]`` (edge convs),
        ``batch [N]`` -> ``(x' [N, C], edge_attr' [E, C] or None)``
    """

    def __init__(
        self,
        channels: int,
        local_conv: str = "gine",
        global_model: str = "transformer",
        heads: int = 4,
        dropout: float = 0.0,
        attn_dropout: float = 0.0,
        norm: str = "batch",
        deg: Optional[Tensor] = None,
        mamba_kwargs: Optional[dict] = None,
    ) -> None:
        if local_conv == "none" and global_model == "none":
            raise ValueError("a GPS layer needs a local_conv or a global_model")
        local = local_conv_resolver(local_conv, channels, heads, dropout, deg)
        mixer = global_model_resolver(global_model, channels, heads, attn_dropout, mamba_kwargs)
        super().__init__(
            channels, local, mixer, local_inputs=local_conv_inputs(local_conv),
            global_inputs=global_model_inputs(global_model),
            updates_edges=updates_edges(local_conv), dropout=dropout, norm=norm,
            local_kind=local_conv, global_kind=global_model)
