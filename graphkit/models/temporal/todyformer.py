"""Todyformer (Biparva, Karimi, Faez, Zhang; TMLR 2024, https://arxiv.org/abs/2402.05944).

A dynamic graph transformer that alternates local and global encoding over a patchified
event stream:

1. Patchifying: the input graph is the ``window`` latest observed events before the
   batch, cut in temporal order into ``num_patches`` patches of (nearly) equal numbers
   of events.
2. Structure-aware tokenization: a (node, patch) pair is a token; a temporal MPNN runs on
   each patch (a node's messages are ``[h_neighbour ‖ time encoding of (t_ref - t_e) ‖
   event features]``, mean-aggregated, DyG2Vec-style, with ``t_ref`` the batch time).
3. Global encoding: each node's tokens, one per patch it appears in, form a sequence; a
   Transformer encoder layer with a temporal positional encoding (time encoding of the
   patch's age) attends over it, absent patches masked.
4. ``num_blocks`` alternating local (MPNN per patch) and global (Transformer across
   patches) blocks, the global output unpacked back into the patches for the next block.

A node's embedding is its token of the latest patch it appears in (a node absent from the
window has its feature projection), joined with the time encoding of its staleness
(time since its last event before the query time, earlier events of the scored batch
included when the task shows them), and pairs are scored by the two-layer link predictor.
The authors' code is not public; this follows the paper's description (see docs/temporal.md
for what is and is not the paper's exact recipe).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor, nn
from torch_geometric.utils import scatter

from graphkit.config.run_config import ModelConfig
from graphkit.models.model_inputs import ModelInputs
from graphkit.models.temporal.link_predictor import LinkPredictor, score_events
from graphkit.models.temporal.mask_dropout import MaskDropout
from graphkit.models.temporal.time_encoding import TimeEncoding


@dataclass(frozen=True)
class TodyformerConfig(ModelConfig):
    """Args:
    hidden_channels: token width.
    time_channels: time encoding width.
    window: latest observed events forming the input graph of a batch.
    num_patches: patches the window is cut into (tokens per node sequence, at most).
    num_blocks: alternating local (MPNN) + global (Transformer) blocks.
    heads: attention heads of the global Transformer (divides hidden_channels).
    dropout: dropout of the MPNN and the Transformer.
    trainable_time: learn the time encoding's frequencies (see :class:`~graphkit.models.temporal.tgn.TGNConfig`).
    """

    name: str = "todyformer"
    hidden_channels: int = 100
    time_channels: int = 100
    window: int = 800
    num_patches: int = 4
    num_blocks: int = 2
    heads: int = 2
    dropout: float = 0.1
    trainable_time: bool = True


class _PatchMPNN(nn.Module):
    """One local block: time-aware mean message passing inside each patch, residual + norm."""

    def __init__(self, channels: int, time_channels: int, edge_channels: int, dropout: float) -> None:
        super().__init__()
        self.message = nn.Linear(channels + time_channels + edge_channels, channels)
        self.update = nn.Sequential(nn.Linear(2 * channels, channels), nn.ReLU(), MaskDropout(dropout),
                                    nn.Linear(channels, channels))
        self.norm = nn.LayerNorm(channels)

    def forward(self, h: Tensor, tok_from: Tensor, tok_to: Tensor, edge_attr: Tensor) -> Tensor:
        m = torch.relu(self.message(torch.cat([h[tok_from], edge_attr], dim=-1)))  # [2E, C]
        agg = scatter(m, tok_to, dim=0, dim_size=h.size(0), reduce="mean")
        return self.norm(h + self.update(torch.cat([h, agg], dim=-1)))


class Todyformer(nn.Module):
    """Todyformer as a :class:`~graphkit.models.temporal.TemporalLinkModel` (see the module).

    Args:
        num_nodes, in_channels, edge_channels: nodes, node and event feature widths.
        hidden_channels, time_channels, window, num_patches, num_blocks, heads, dropout:
            see :class:`TodyformerConfig`.
    """

    def __init__(self, num_nodes: int, in_channels: int, edge_channels: int, *, hidden_channels: int = 100,
                 time_channels: int = 100, window: int = 800, num_patches: int = 4, num_blocks: int = 2,
                 heads: int = 2, dropout: float = 0.1, trainable_time: bool = True) -> None:
        super().__init__()
        if hidden_channels % heads:
            raise ValueError(f"hidden_channels ({hidden_channels}) must be divisible by heads ({heads})")
        if window < num_patches:
            raise ValueError(f"window ({window}) must hold at least one event per patch ({num_patches})")
        self.num_nodes, self.window, self.num_patches = num_nodes, window, num_patches
        self.time_enc = TimeEncoding(time_channels, trainable=trainable_time)
        self.node_lin = nn.Linear(in_channels, hidden_channels)
        self.locals = nn.ModuleList(_PatchMPNN(hidden_channels, time_channels, edge_channels, dropout)
                                    for _ in range(num_blocks))
        self.globals = nn.ModuleList(
            nn.TransformerEncoderLayer(hidden_channels, heads, 2 * hidden_channels, dropout, batch_first=True,
                                       norm_first=True) for _ in range(num_blocks))
        self.pos_lin = nn.Linear(time_channels, hidden_channels)
        # the query token (the scored batch as a causal last patch) and its global layer
        self.query_local = _PatchMPNN(hidden_channels, time_channels, edge_channels, dropout)
        self.query_global = nn.TransformerEncoderLayer(hidden_channels, heads, 2 * hidden_channels, dropout,
                                                       batch_first=True, norm_first=True)
        for layer in (*self.globals, self.query_global):  # PyTorch's CPU dropout is slow: same mask, faster
            layer.dropout, layer.dropout1, layer.dropout2 = MaskDropout(dropout), MaskDropout(dropout), MaskDropout(dropout)
        self.out = nn.Linear(hidden_channels + time_channels, hidden_channels)
        self.predictor = LinkPredictor(hidden_channels, hidden_channels)
        self.register_buffer("w_src", torch.empty(0, dtype=torch.long), persistent=False)
        self.register_buffer("w_dst", torch.empty(0, dtype=torch.long), persistent=False)
        self.register_buffer("w_t", torch.empty(0), persistent=False)
        self.register_buffer("w_msg", torch.empty(0, edge_channels), persistent=False)
        self.register_buffer("last_time", torch.full((num_nodes,), float("-inf")), persistent=False)

    def reset_state(self) -> None:
        self.w_src, self.w_dst = self.w_src[:0], self.w_dst[:0]
        self.w_t, self.w_msg = self.w_t[:0], self.w_msg[:0]
        self.last_time.fill_(float("-inf"))

    def detach_state(self) -> None:
        pass  # the state is observed data only

    def observe(self, src: Tensor, dst: Tensor, t: Tensor, msg: Tensor) -> None:
        w = self.window
        self.w_src, self.w_dst = torch.cat([self.w_src, src])[-w:], torch.cat([self.w_dst, dst])[-w:]
        self.w_t, self.w_msg = torch.cat([self.w_t, t.float()])[-w:], torch.cat([self.w_msg, msg.float()])[-w:]
        self.last_time.scatter_reduce_(0, torch.cat([src, dst]), t.float().repeat(2), reduce="amax")

    def encode_window(self, x: Tensor, t_ref: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        """Tokens of the window after the alternating blocks: (per node ``[N_w, M, C]``, patch
        present ``[N_w, M]``, node ids ``[N_w]``, positional encodings ``[M, C]``)."""
        n_e, n = self.w_src.numel(), self.num_nodes
        patch = torch.arange(n_e, device=x.device) * self.num_patches // n_e  # [E] equal-size patches
        ends = torch.cat([patch, patch])
        keys = ends * n + torch.cat([self.w_src, self.w_dst])
        uniq, inv = torch.unique(keys, return_inverse=True)  # tokens = (patch, node), patch-major
        tok_node, tok_patch = uniq % n, uniq // n
        tok_from, tok_to = inv, torch.cat([inv[n_e:], inv[:n_e]])  # neighbour token -> receiving token
        dt = (t_ref - self.w_t).clamp(min=0)
        edge_attr = torch.cat([self.time_enc(dt), self.w_msg], dim=-1).repeat(2, 1)
        nodes, row = torch.unique(tok_node, return_inverse=True)  # sequence per node
        patch_end = scatter(self.w_t, patch, dim=0, dim_size=self.num_patches, reduce="max")
        pos = self.pos_lin(self.time_enc((t_ref - patch_end).clamp(min=0)))  # [M, C]
        present = torch.zeros(nodes.numel(), self.num_patches, dtype=torch.bool, device=x.device)
        present[row, tok_patch] = True
        h = self.node_lin(x[tok_node])  # [T, C]
        for local, global_layer in zip(self.locals, self.globals):
            h = local(h, tok_from, tok_to, edge_attr)
            dense = h.new_zeros(nodes.numel(), self.num_patches, h.size(-1))  # pack: [N_w, M, C]
            dense[row, tok_patch] = h
            dense = global_layer(dense + pos, src_key_padding_mask=~present)
            h = dense[row, tok_patch]  # unpack
        return dense, present, nodes, pos

    def embed(self, x: Tensor, nodes: Tensor, t: Tensor, batch: tuple[Tensor, ...] | None = None) -> Tensor:
        """Embeddings ``[Q, C]`` of ``nodes`` at times ``t`` (see the module)."""
        q, m, dev = nodes.numel(), self.num_patches, x.device
        t = t.float()
        # the window's tokens of each query node (none when the node is outside the window)
        seq = x.new_zeros(q, m, self.node_lin.out_features)
        seq_present = torch.zeros(q, m, dtype=torch.bool, device=dev)
        base = self.node_lin(x)  # [N, C] a node's token outside the window: its features
        pos = x.new_zeros(m, base.size(-1))
        if self.w_src.numel() >= m:
            dense, present, win_nodes, pos = self.encode_window(x, t.min())
            slot = torch.full((self.num_nodes,), -1, dtype=torch.long, device=dev)
            slot[win_nodes] = torch.arange(win_nodes.numel(), device=dev)
            latest = m - 1 - present.flip(1).float().argmax(1)  # latest patch of each window node
            base = base.index_put((win_nodes,), dense[torch.arange(win_nodes.numel(), device=dev), latest])
            found = slot[nodes] >= 0
            seq = torch.where(found.view(-1, 1, 1), dense[slot[nodes].clamp(min=0)], seq)
            seq_present = found.view(-1, 1) & present[slot[nodes].clamp(min=0)]
        # the query token: the scored batch's events of the node strictly before its time (the
        # batch as a causal last patch), tokenized by an MPNN like the window's patches
        last = self.last_time[nodes]
        h_from, h_to = base[nodes][:0], nodes[:0]
        attr = x.new_zeros(0, self.time_enc.out_channels + self.w_msg.size(1))
        if batch is not None and batch[0].numel():
            b_src, b_dst, b_t, b_msg = batch[0], batch[1], batch[2].float(), batch[3].float()
            end, other = torch.cat([b_src, b_dst]), torch.cat([b_dst, b_src])  # both directions [2B]
            b_t2, b_msg2 = b_t.repeat(2), b_msg.repeat(2, 1)
            readable = (nodes.view(-1, 1) == end.view(1, -1)) & (b_t2.view(1, -1) < t.view(-1, 1))  # [Q, 2B]
            qi, ej = readable.nonzero(as_tuple=True)
            h_from, h_to = base[other[ej]], qi
            attr = torch.cat([self.time_enc(t[qi] - b_t2[ej]), b_msg2[ej]], dim=-1)
            last = torch.maximum(last, scatter(b_t2[ej], qi, dim=0, dim_size=q, reduce="max").where(
                torch.bincount(qi, minlength=q) > 0, torch.full_like(last, float("-inf"))))
        tokens = torch.cat([base[nodes], h_from])  # queries, then the neighbours they read
        tok_from = torch.arange(q, q + h_from.size(0), device=dev)
        query = self.query_local(tokens, tok_from, h_to, attr)[:q]  # [Q, C]
        # global: the query token attends over its node's window tokens (temporal positions)
        sequence = torch.cat([seq + pos, (query + self.pos_lin(self.time_enc(torch.zeros_like(t)))).unsqueeze(1)], 1)
        keep = torch.cat([seq_present, torch.ones(q, 1, dtype=torch.bool, device=dev)], 1)
        h = self.last_position(self.query_global, sequence, ~keep)
        stale = torch.where(torch.isinf(last), torch.zeros_like(last), t - last)
        return self.out(torch.cat([h, self.time_enc(stale)], dim=-1))

    @staticmethod
    def last_position(layer: nn.TransformerEncoderLayer, seq: Tensor, padding: Tensor) -> Tensor:
        """``layer(seq, src_key_padding_mask=padding)[:, -1]`` of a pre-norm ReLU layer, computed
        for the last position only (its query attends over every key; nothing else is needed).

        Shapes:
            ``seq [B, L, C]``, ``padding [B, L]`` -> ``[B, C]``
        """
        kv = layer.norm1(seq)
        h = seq[:, -1:] + layer.dropout1(layer.self_attn(kv[:, -1:], kv, kv, key_padding_mask=padding,
                                                         need_weights=False)[0])
        h = h + layer.dropout2(layer.linear2(layer.dropout(torch.relu(layer.linear1(layer.norm2(h))))))
        return h[:, 0]

    def forward(self, x: Tensor, src: Tensor, dst: Tensor, t: Tensor,
                batch: tuple[Tensor, Tensor, Tensor, Tensor] | None = None) -> Tensor:
        return score_events(lambda nodes, times: self.embed(x, nodes, times, batch), self.predictor, src, dst, t)


def build_todyformer(cfg: TodyformerConfig, inputs: ModelInputs) -> Todyformer:
    return Todyformer(int(inputs.num_nodes), max(inputs.num_features, 1), max(inputs.num_edge_features, 1),
                      hidden_channels=cfg.hidden_channels, time_channels=cfg.time_channels, window=cfg.window,
                      num_patches=cfg.num_patches, num_blocks=cfg.num_blocks, heads=cfg.heads, dropout=cfg.dropout,
                      trainable_time=cfg.trainable_time)
