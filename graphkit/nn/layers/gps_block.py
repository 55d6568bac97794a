"""The one body of every GPS-family layer (GPS, Graph-Mamba, GMN, GSM++, and the masked and
compacted GPS of :mod:`graphkit.sparsify`): a local conv and a global mixer side by side, an
optional mixer after them, and an FFN, each with residual and norm."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Callable, Mapping, Optional, Sequence

import torch.nn.functional as F
from torch import Tensor, nn

from graphkit.nn.attention.graph_self_attention import GraphSelfAttention
from graphkit.nn.attention.padded_batch import PaddedBatch
from graphkit.nn.fast_dropout import fast_dropout
from graphkit.nn.mamba.packed_sequences import PackedSequences
from graphkit.nn.norm import norm_resolver

# registration order of the parts (GraphGPS's): it fixes ``parameters()`` order, which
# optimizer states and gradient-norm clipping follow
GPS_ORDER = ("local", "global_model", "post_model", "norm_local", "norm_global", "norm_post")
# the order of layers whose local norm was created beside the local conv (GMN, GSM++)
BRANCH_ORDER = ("local", "norm_local", "global_model", "norm_global", "post_model", "norm_post")


@dataclass
class BlockMasks:
    """Structured masks of one block for one forward pass, set on ``GPSBlock.masks`` by a
    sparsifier (GTSP, `Liu et al. <https://arxiv.org/abs/2312.05479>`_). ``None`` leaves a
    structure unmasked.

    Args:
        layer: gate ``g`` of the whole block, ``x' = g * block(x) + (1 - g) * x`` (``[]``).
        skip: the block is closed: ``x' = x`` without computing it.
        heads: per-head gates of the attention mixer (``[H]``).
        ffn: per-channel gates of the FFN's hidden layer (``[W]``).
        tokens: ``x -> [N]`` keep weights of the nodes in the attention mixer.
        edges: ``edge_attr -> [E]`` weights of the edges in the local aggregation.
    """

    layer: Optional[Tensor] = None
    skip: bool = False
    heads: Optional[Tensor] = None
    ffn: Optional[Tensor] = None
    tokens: Optional[Callable[[Tensor], Tensor]] = None
    edges: Optional[Callable[[Tensor], Tensor]] = None


class GPSBlock(nn.Module):
    """The layer body of `GraphGPS <https://arxiv.org/abs/2205.12454>`_ with its parts passed in.

    ``h_local = norm(x + dropout(local(x, E)))`` and ``h_global = norm(x +
    dropout(global(x)))`` are computed from the same input and summed; a ``post_model``
    (GSM++'s attention) then mixes the sum, ``h = norm(h + dropout(post(h)))``; a ReLU FFN
    with residual and norm ends the block. A local conv listed in ``updates_edges`` (GatedGCN)
    applies its own residual and dropout and returns updated edge features, carried on.

    Each part reads ``x`` and, by keyword, the graph inputs it names (``edge_index``,
    ``edge_attr``, ``batch``, ``padded``, ``layout``): see ``LOCAL_CONV_INPUTS`` and
    ``GLOBAL_MODEL_INPUTS``. With ``masks`` set (:class:`BlockMasks`), the block applies a
    sparsifier's layer, head, FFN-channel, token and edge masks; with every mask open its
    output is the unmasked block's.

    Args:
        channels: hidden width ``C``.
        local: local conv (or ``None``).
        global_model: global mixer beside the local conv (or ``None``).
        post_model: mixer applied after the two branches (default ``None``).
        local_inputs, global_inputs, post_inputs: the graph inputs each part reads.
        updates_edges: ``local`` returns ``(x', edge_attr')`` with its own residual.
        global_first: run the global branch before the local one (the order of random
            draws in GMN and GSM++; the sum is the same).
        ffn_channels: FFN hidden width (default ``2 C``; 0 leaves ``norm(h + b)``).
        dropout: dropout after each part and inside the FFN (default 0.0).
        norm: ``batch`` (default), ``layer`` or ``none``.
        order: registration order of the parts (default GraphGPS's, :data:`GPS_ORDER`).
        renamed: ``{old: new}`` key prefixes of checkpoints written by the layers this block
            replaced, mapped on load.
        local_kind, global_kind: names shown by ``repr`` and read by FLOPs counters.

    Shapes:
        ``x [N, C]``, ``edge_index [2, E]``, ``edge_attr [E, C]`` (edge convs), ``batch [N]``,
        ``padded`` (:class:`PaddedBatch`), ``layout`` (``PackedSequences``) ->
        ``(x' [N, C], edge_attr' [E, C] or None)``
    """

    def __init__(
        self,
        channels: int,
        local: Optional[nn.Module] = None,
        global_model: Optional[nn.Module] = None,
        *,
        post_model: Optional[nn.Module] = None,
        local_inputs: Sequence[str] = (),
        global_inputs: Sequence[str] = (),
        post_inputs: Sequence[str] = (),
        updates_edges: bool = False,
        global_first: bool = False,
        ffn_channels: Optional[int] = None,
        dropout: float = 0.0,
        norm: str = "batch",
        order: Sequence[str] = GPS_ORDER,
        renamed: Optional[Mapping[str, str]] = None,
        local_kind: str = "none",
        global_kind: str = "none",
    ) -> None:
        super().__init__()
        if local is None and global_model is None:
            raise ValueError("a GPS block needs a local conv or a global model")
        for name in order:
            self.register_module(name, None)
        self.local, self.global_model, self.post_model = local, global_model, post_model
        self.norm_local = norm_resolver(norm, channels) if local is not None else None
        self.norm_global = norm_resolver(norm, channels) if global_model is not None else None
        self.norm_post = norm_resolver(norm, channels) if post_model is not None else None
        width = 2 * channels if ffn_channels is None else ffn_channels
        with warnings.catch_warnings():
            # an FFN pruned to no channels (sparsify) is ff2's bias alone: a no-op init
            warnings.filterwarnings("ignore", "Initializing zero-element tensors")
            self.ff1 = nn.Linear(channels, width)
            self.ff2 = nn.Linear(width, channels)
        self.norm_ff = norm_resolver(norm, channels)
        self.local_inputs, self.global_inputs = tuple(local_inputs), tuple(global_inputs)
        self.post_inputs, self.updates_edges = tuple(post_inputs), updates_edges
        self.global_first, self.dropout = global_first, dropout
        self.local_kind, self.global_kind = local_kind, global_kind
        self.masks: Optional[BlockMasks] = None
        self.renamed = dict(renamed or {})
        if self.renamed:
            self._register_load_state_dict_pre_hook(self._rename_keys)

    @property
    def attention(self) -> Optional[GraphSelfAttention]:
        """The full-attention part, on which head and token masks act (``None`` if none)."""
        for part in (self.global_model, self.post_model):
            if isinstance(part, GraphSelfAttention):
                return part
        return None

    def _rename_keys(self, state: dict, prefix: str, *args) -> None:
        for key in [k for k in state if k.startswith(prefix)]:
            rest = key[len(prefix):]
            if any(rest.startswith(new) for new in self.renamed.values()):
                continue  # already a current name
            for old, new in self.renamed.items():
                if rest.startswith(old):
                    state[prefix + new + rest[len(old):]] = state.pop(key)
                    break

    def _mix(self, mixer: nn.Module, names: tuple[str, ...], x: Tensor, inputs: dict) -> Tensor:
        masks = self.masks
        if masks is not None and isinstance(mixer, GraphSelfAttention):
            tokens = masks.tokens(x) if masks.tokens is not None else None
            return mixer.masked_forward(x, inputs["padded"], masks.heads, tokens)
        return mixer(x, **{name: inputs[name] for name in names})

    def _local(self, x: Tensor, inputs: dict) -> tuple[Tensor, Optional[Tensor]]:
        kwargs = {name: inputs[name] for name in self.local_inputs}
        if self.masks is not None and self.masks.edges is not None:
            kwargs["edge_weight"] = self.masks.edges(inputs["edge_attr"])
        if self.updates_edges:
            h_local, edge_attr = self.local(x, **kwargs)
        else:
            h_local = x + fast_dropout(self.local(x, **kwargs), self.dropout, self.training)
            edge_attr = inputs["edge_attr"]
        return self.norm_local(h_local), edge_attr

    def _global(self, x: Tensor, inputs: dict) -> Tensor:
        h_global = self._mix(self.global_model, self.global_inputs, x, inputs)
        return self.norm_global(x + fast_dropout(h_global, self.dropout, self.training))

    def forward(
        self,
        x: Tensor,
        edge_index: Tensor,
        edge_attr: Optional[Tensor] = None,
        batch: Optional[Tensor] = None,
        padded: Optional[PaddedBatch] = None,
        layout: Optional[PackedSequences] = None,
    ) -> tuple[Tensor, Optional[Tensor]]:
        masks = self.masks
        if masks is not None and masks.skip:
            return x, edge_attr  # a closed block is the identity
        inputs = dict(edge_index=edge_index, edge_attr=edge_attr, batch=batch, padded=padded, layout=layout)
        h = h_global = None
        if self.global_first and self.global_model is not None:
            h = h_global = self._global(x, inputs)
        e = edge_attr
        if self.local is not None:
            h_local, e = self._local(x, inputs)
            h = h_local if h is None else h + h_local
        if self.global_model is not None and h_global is None:
            h_global = self._global(x, inputs)
            h = h_global if h is None else h + h_global
        if self.post_model is not None:
            h = self.norm_post(h + fast_dropout(self._mix(self.post_model, self.post_inputs, h, inputs),
                                                self.dropout, self.training))
        ff = F.relu(self.ff1(h))
        if masks is not None and masks.ffn is not None:
            ff = ff * masks.ffn
        ff = fast_dropout(ff, self.dropout, self.training)
        h = self.norm_ff(h + fast_dropout(self.ff2(ff), self.dropout, self.training))
        if masks is not None and masks.layer is not None:
            g = masks.layer
            h = g * h + (1 - g) * x
            if e is not None and edge_attr is not None:
                e = g * e + (1 - g) * edge_attr
        return h, e

    def extra_repr(self) -> str:
        return f"local={self.local_kind}, global={self.global_kind}, dropout={self.dropout}"
