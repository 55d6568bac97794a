"""The GSM++ hybrid layer: a bidirectional Mamba over a mixture of node orderings, then
full attention, then an FFN (with an optional local MPNN beside them)."""

from __future__ import annotations

from typing import Optional

from graphkit.nn.attention import GraphSelfAttention
from graphkit.nn.conv import local_conv_inputs, local_conv_resolver, updates_edges
from graphkit.nn.layers.gps_block import BRANCH_ORDER, GPSBlock
from graphkit.nn.mamba.tokenization_mixture import TokenizationMixture


class GSMLayer(GPSBlock):
    """The hybrid layer of GSM++ (`Behrouz et al. <https://arxiv.org/abs/2411.15671>`_), a
    :class:`GPSBlock` whose global mixer is a :class:`TokenizationMixture` (the recurrent
    block: bidirectional Mamba over ``K`` node orderings, mixed per node) and whose
    ``post_model`` is full attention (the Transformer block, which does not depend on the
    order), each with residual and norm, then a 2x-wide ReLU FFN. A local MPNN (as in
    GraphGPS) may add its output to the recurrent block's.

    Checkpoints of the former ``GSMLayer`` (``mamba.*``, ``router.*``, ``norm_mamba.*``,
    ``attention.*``, ``norm_attention.*``) load into the block's names.

    Args:
        channels: hidden width ``C``.
        num_tokenizations: ``K`` (default 1).
        local_conv: ``gine``, ``gatedgcn``, ``gat``, ``gcn`` or ``none`` (default).
        heads: attention heads.
        dropout: dropout after each block and inside the FFN.
        attn_dropout: dropout on the attention weights.
        norm: ``batch`` (default), ``layer`` or ``none``.
        top_k: tokenizations kept per node (0 = all, a soft mixture).
        state_channels, conv_kernel, expand: :class:`MambaBlock` settings.
        ffn_channels: FFN hidden width (default ``2 * channels``; a sparsifier's kept width).

    Shapes:
        ``x [N, C]``, ``edge_index [2, E]``, ``edge_attr [E, C]`` (edge convs),
        ``batch [N]``, ``padded`` (:class:`PaddedBatch`), ``layout``
        (:class:`PackedSequences` of ``K * N`` tokens: token ``k * N + i`` is node ``i``
        in tokenization ``k``) -> ``(x' [N, C], edge_attr')``
    """

    def __init__(self, channels: int, num_tokenizations: int = 1, local_conv: str = "none", heads: int = 4,
                 dropout: float = 0.0, attn_dropout: float = 0.0, norm: str = "batch", top_k: int = 0,
                 state_channels: int = 16, conv_kernel: int = 4, expand: int = 1,
                 ffn_channels: Optional[int] = None) -> None:
        local = local_conv_resolver(local_conv, channels, heads, dropout, None)
        mixture = TokenizationMixture(channels, num_tokenizations, top_k, state_channels=state_channels,
                                      conv_kernel=conv_kernel, expand=expand)
        attention = GraphSelfAttention(channels, heads=heads, dropout=attn_dropout)
        super().__init__(
            channels, local, mixture, post_model=attention,
            local_inputs=local_conv_inputs(local_conv), global_inputs=("layout",),
            post_inputs=("batch", "padded"), updates_edges=updates_edges(local_conv),
            global_first=True, ffn_channels=ffn_channels, dropout=dropout, norm=norm, order=BRANCH_ORDER,
            renamed={"mamba.": "global_model.mamba.", "router.": "global_model.router.",
                     "norm_mamba.": "norm_global.", "attention.": "post_model.",
                     "norm_attention.": "norm_post."},
            local_kind=local_conv, global_kind="gsm")
        self.num_tokenizations, self.top_k = num_tokenizations, top_k
