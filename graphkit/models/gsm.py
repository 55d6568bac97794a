"""GSM++ as a graphkit model.

Behrouz, Parviz, Karami, Sanford, Perozzi & Mirrokni, "Best of Both Worlds: Advantages of
Hybrid Graph Sequence Models" (ICML 2025), https://arxiv.org/abs/2411.15671.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Optional, Sequence

import torch
from torch import Tensor, nn
from torch_geometric.data import Data
from torch_geometric.utils import degree

from graphkit.models.graph_gps import GraphGPS, build_encoders, check_layer_ffn_channels, layer_ffn_channels
from graphkit.models.model_inputs import ModelInputs
from graphkit.models.pe_model_config import PEModelConfig
from graphkit.nn.attention import PaddedBatch
from graphkit.nn.conv import check_local_conv
from graphkit.nn.layers import GSMLayer
from graphkit.nn.mamba import PackedSequences
from graphkit.transforms.hac_tokenization import hac_ranks

TOKENIZATIONS = ("hac", "degree")


@dataclass(frozen=True)
class GSMConfig(PEModelConfig):
    """Config of GSM++ (``model.name: gsm``).

    Args:
        hidden_channels, num_layers: width and depth (hybrid layers).
        tokenizations: node orderings mixed per node (mixture of tokenizations):
            ``hac`` adds one ordering per HAC level (``hac_levels``), ``degree`` the
            Graph-Mamba degree ordering. One entry is a single tokenization.
        hac_levels: HAC levels used; read from ``data.hac_rank`` when the data carry it
            (``data.pe.hac_levels >= hac_levels``, cached with the dataset), otherwise
            clustered per mini-batch with ``hac_seed``.
        hac_seed: seed of the per-mini-batch clustering.
        top_k: tokenizations each node keeps (0 = soft mixture of all).
        degree_noise: ``U(0, degree_noise)`` added to the degree before sorting (random
            ties, as Graph-Mamba); 0 breaks ties by the first HAC level (or node index).
        eval_orderings: noisy degree orderings averaged in evaluation.
        local_conv: optional local MPNN beside the recurrent block.
        heads, dropout, attn_dropout, norm: the Transformer block and the FFN.
        state_channels, mamba_expand, mamba_conv_kernel: the Mamba blocks.
        pool, head_layers: readout and head, as for GraphGPS.
        rwse_*, lap_*, signnet_*: positional encodings (:class:`PEModelConfig`).
        layer_ffn_channels: FFN hidden width of each layer, written by ``graphkit sparsify``
            (empty: ``2 * hidden_channels`` everywhere; else ``num_layers`` entries).
    """

    hidden_channels: int = 64
    num_layers: int = 6
    tokenizations: tuple[str, ...] = ("hac", "degree")
    hac_levels: int = 2
    hac_seed: int = 0
    top_k: int = 0
    degree_noise: float = 1.0
    eval_orderings: int = 5
    local_conv: str = "gine"  # a registered local conv built without a degree histogram, or none
    heads: int = 4
    dropout: float = 0.0
    attn_dropout: float = 0.5
    norm: Literal["batch", "layer"] = "batch"
    state_channels: int = 16
    mamba_expand: int = 1
    mamba_conv_kernel: int = 4
    pool: Literal["add", "mean", "max"] = "add"
    head_layers: int = 2
    rwse_channels: int = 28
    layer_ffn_channels: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        check_local_conv(self.local_conv, degrees=False)
        super().__post_init__()
        bad = [t for t in self.tokenizations if t not in TOKENIZATIONS]
        if bad or not self.tokenizations or len(set(self.tokenizations)) != len(self.tokenizations):
            raise ValueError(f"model.tokenizations must be distinct names from {TOKENIZATIONS}, "
                             f"got {self.tokenizations}")
        if min(self.hidden_channels, self.num_layers, self.hac_levels, self.eval_orderings,
               self.heads, self.state_channels, self.mamba_expand, self.mamba_conv_kernel) < 1:
            raise ValueError("hidden_channels, num_layers, hac_levels, eval_orderings, heads, "
                             "state_channels, mamba_expand and mamba_conv_kernel must be >= 1")
        if self.hidden_channels % self.heads != 0:
            raise ValueError("model.hidden_channels must be divisible by model.heads")
        if not 0 <= self.top_k <= self.num_tokenizations:
            raise ValueError(f"model.top_k must be in [0, {self.num_tokenizations}] (the number "
                             f"of tokenizations), got {self.top_k}")
        if self.degree_noise < 0 or self.head_layers < 0:
            raise ValueError("model.degree_noise and model.head_layers must be >= 0")
        for name in ("dropout", "attn_dropout"):
            if not 0.0 <= getattr(self, name) < 1.0:
                raise ValueError(f"model.{name} must be in [0, 1)")
        check_layer_ffn_channels(self.layer_ffn_channels, self.num_layers)

    @property
    def num_tokenizations(self) -> int:
        return sum(self.hac_levels if t == "hac" else 1 for t in self.tokenizations)


def _rank_within_graph(order: Tensor, batch: Tensor, num_graphs: int) -> Tensor:
    """Position of each node in ``order`` (a node sequence grouped by graph)."""
    counts = torch.bincount(batch, minlength=num_graphs)
    starts = torch.cumsum(counts, 0) - counts
    rank = torch.empty_like(order)
    rank[order] = torch.arange(order.numel(), device=order.device) - starts[batch[order]]
    return rank


class GSM(nn.Module):
    """GSM++: node orderings (tokenizations), a stack of :class:`GSMLayer` over them, and
    GraphGPS's encoder / readout / head scaffold.

    In training each forward pass draws one degree ordering; in evaluation the output
    is averaged over ``eval_orderings`` draws when that ordering is random (HAC orderings
    are fixed). ``forward(data, orderings=...)`` evaluates over given orderings instead.

    Args:
        scaffold: a :class:`GraphGPS` holding the encoders, the :class:`GSMLayer` stack
            (its ``layers``), the pool and the head.
        tokenizations, hac_levels, hac_seed, degree_noise, eval_orderings: as in
            :class:`GSMConfig`.

    Shapes:
        ``data`` (a PyG ``Batch``) -> ``[num_graphs, out]`` or ``[num_nodes, out]``
    """

    def __init__(self, scaffold: GraphGPS, tokenizations: Sequence[str] = ("hac", "degree"),
                 hac_levels: int = 2, hac_seed: int = 0, degree_noise: float = 1.0,
                 eval_orderings: int = 5) -> None:
        super().__init__()
        self.scaffold = scaffold
        self.tokenizations, self.hac_levels, self.hac_seed = tuple(tokenizations), hac_levels, hac_seed
        self.degree_noise, self.eval_orderings = degree_noise, eval_orderings

    @property
    def layers(self) -> nn.ModuleList:
        """The :class:`GSMLayer` stack (the blocks a sparsifier masks)."""
        return self.scaffold.layers

    @property
    def eval_passes(self) -> int:
        """Passes through the layers per evaluation forward (random degree orderings)."""
        random = "degree" in self.tokenizations and self.degree_noise > 0
        return self.eval_orderings if random else 1

    def _hac(self, data: Data, batch: Tensor) -> Tensor:
        cached = getattr(data, "hac_rank", None)
        if cached is not None:
            if cached.size(1) < self.hac_levels:
                raise ValueError(f"data.hac_rank has {cached.size(1)} levels, the model uses "
                                 f"{self.hac_levels}: set data.pe.hac_levels >= {self.hac_levels}")
            return cached[:, :self.hac_levels]
        ranks = hac_ranks(data.edge_index, batch.numel(), getattr(data, "x", None), batch,
                          self.hac_levels, self.hac_seed)
        return ranks.to(batch.device)

    def orderings(self, data: Data) -> Tensor:
        """One draw of every tokenization: positions ``[N, K]`` within each graph."""
        batch, num_graphs = self._batch(data)
        num_nodes = batch.numel()
        hac = self._hac(data, batch) if "hac" in self.tokenizations else None
        columns = []
        for name in self.tokenizations:
            if name == "hac":
                columns.append(hac)
                continue
            key = degree(data.edge_index[1], num_nodes)
            if self.degree_noise > 0:
                key = key + self.degree_noise * torch.rand_like(key)
            # ties (noise 0) follow the finest HAC level, so that the order moves with the nodes
            order = torch.argsort(hac[:, 0], stable=True) if hac is not None else \
                torch.arange(num_nodes, device=batch.device)
            order = order[torch.argsort(key[order], stable=True)]
            order = order[torch.argsort(batch[order], stable=True)]
            columns.append(_rank_within_graph(order, batch, num_graphs).unsqueeze(1))
        return torch.cat(columns, dim=1)

    @staticmethod
    def _batch(data: Data) -> tuple[Tensor, int]:
        batch = getattr(data, "batch", None)
        if batch is None:
            return torch.zeros(data.num_nodes, dtype=torch.long, device=data.edge_index.device), 1
        return batch, int(data.num_graphs)

    def forward(self, data: Data, orderings: Optional[Sequence[Tensor]] = None) -> Tensor:
        if orderings is None:
            draws = 1 if self.training else self.eval_passes
            orderings = [self.orderings(data) for _ in range(draws)]
        scaffold = self.scaffold
        x0, edge_attr0 = scaffold.encode(data)
        batch, num_graphs = self._batch(data)
        padded = PaddedBatch.from_batch(batch, x0.size(0), num_graphs)
        outs = []
        for ranks in orderings:
            num_tokenizations = ranks.size(1)
            seq = (torch.arange(num_tokenizations, device=batch.device).unsqueeze(1) * num_graphs
                   + batch.unsqueeze(0)).reshape(-1)  # token k N + i: node i, ordering k
            layout = PackedSequences.from_positions(seq, ranks.t().reshape(-1),
                                                    num_tokenizations * num_graphs)
            x, edge_attr = x0, edge_attr0
            for layer in scaffold.layers:
                x, edge_attr = layer(x, data.edge_index, edge_attr, batch, padded, layout)
            if scaffold.level == "node":
                outs.append(scaffold.head(x))
            else:
                outs.append(scaffold.head(scaffold.pool(x, batch, num_graphs)))
        return outs[0] if len(outs) == 1 else torch.stack(outs).mean(dim=0)


def build_gsm(cfg: GSMConfig, inputs: ModelInputs) -> GSM:
    """GraphGPS's encoders and head around a stack of :class:`GSMLayer`."""
    layers = nn.ModuleList(
        GSMLayer(cfg.hidden_channels, num_tokenizations=cfg.num_tokenizations,
                 local_conv=cfg.local_conv, heads=cfg.heads, dropout=cfg.dropout,
                 attn_dropout=cfg.attn_dropout, norm=cfg.norm, top_k=cfg.top_k,
                 state_channels=cfg.state_channels, conv_kernel=cfg.mamba_conv_kernel,
                 expand=cfg.mamba_expand, ffn_channels=layer_ffn_channels(cfg.layer_ffn_channels, i))
        for i in range(cfg.num_layers))
    scaffold = GraphGPS(
        hidden_channels=cfg.hidden_channels, num_layers=cfg.num_layers,
        out_channels=inputs.out_channels, level=inputs.level,
        **build_encoders(cfg, inputs), layers=layers, pool=cfg.pool,
        head_layers=cfg.head_layers)
    return GSM(scaffold, tokenizations=cfg.tokenizations, hac_levels=cfg.hac_levels,
               hac_seed=cfg.hac_seed, degree_noise=cfg.degree_noise,
               eval_orderings=cfg.eval_orderings)
