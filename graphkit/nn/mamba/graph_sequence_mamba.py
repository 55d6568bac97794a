"""Mamba over the nodes of each graph, ordered by degree with random tie-breaking."""

from __future__ import annotations

from typing import Optional

import torch
from torch import Tensor, nn
from torch_geometric.utils import degree

from graphkit.nn.mamba.bi_mamba import BiMamba
from graphkit.nn.mamba.mamba_block import MambaBlock
from graphkit.nn.mamba.packed_sequences import PackedSequences


def _pagerank(edge_index: Tensor, num_nodes: int, deg: Tensor, damping: float = 0.85,
              iterations: int = 20) -> Tensor:
    """PageRank scores by power iteration (per connected component, so per graph)."""
    rank = torch.full_like(deg, 1.0 / max(num_nodes, 1))
    share = 1.0 / deg.clamp_min(1.0)
    for _ in range(iterations):
        flow = torch.zeros_like(rank).index_add_(0, edge_index[1], (rank * share)[edge_index[0]])
        rank = (1 - damping) / max(num_nodes, 1) + damping * flow
    return rank


class GraphSequenceMamba(nn.Module):
    """The global branch of Graph-Mamba's GPS layer (`Wang et al.
    <https://arxiv.org/abs/2402.00789>`_): each graph's nodes become a sequence sorted by
    ``degree + U(0, 1)`` noise (ascending, so high-degree nodes come last and see the
    most context; the noise breaks ties at random), a Mamba block scans it, and the
    outputs go back to node order. In evaluation the output is averaged over
    ``eval_orderings`` noisy orderings.

    Args:
        channels: node width.
        state_channels, conv_kernel, expand: :class:`MambaBlock` settings.
        bidirectional: scan both directions (:class:`BiMamba`) instead of one.
        eval_orderings: orderings averaged in evaluation (default 5, as in Graph-Mamba).
        noise: scale of the uniform tie-breaking noise (default 1.0: ties only, since
            degrees are integers); 0 gives a deterministic degree order.
        ordering: ``degree`` (Graph-Mamba), ``pagerank`` (GMN's alternative; scores
            scaled to integer-like ranks within each graph before the noise is added) or
            ``random`` (a fresh random permutation per call: the ablation showing what the
            degree prior is worth).
        input_norm: LayerNorm on the input tokens before the scan (the pre-norm of
            Mamba's own residual blocks; default false, as Graph-Mamba). B and C are
            linear in the input, Δ grows with it and the output with their product, so one batch of
            unusually large tokens gives an enormous output; the BatchNorm after a GPS
            branch then stores it in its running variance and the next evaluation is
            ruined. Normalized tokens bound the output by the weights.

    Shapes:
        ``x [N, C]``, ``edge_index [2, E]``, ``batch [N]`` -> ``[N, C]``
    """

    def __init__(self, channels: int, state_channels: int = 16, conv_kernel: int = 4, expand: int = 1,
                 bidirectional: bool = False, eval_orderings: int = 5, noise: float = 1.0,
                 ordering: str = "degree", input_norm: bool = False) -> None:
        super().__init__()
        if eval_orderings < 1:
            raise ValueError("eval_orderings must be >= 1")
        kwargs = dict(state_channels=state_channels, conv_kernel=conv_kernel, expand=expand)
        self.bidirectional = bidirectional
        self.mamba = BiMamba(channels, **kwargs) if bidirectional else MambaBlock(channels, **kwargs)
        if ordering not in ("degree", "pagerank", "random"):
            raise ValueError(
                f"ordering must be 'degree', 'pagerank' or 'random', got {ordering!r}")
        if noise < 0:
            raise ValueError("noise must be >= 0")
        self.eval_orderings, self.noise, self.ordering = eval_orderings, noise, ordering
        self.input_norm = nn.LayerNorm(channels) if input_norm else None

    def _one_ordering(self, x: Tensor, deg: Tensor, batch: Tensor, num_graphs: int) -> Tensor:
        if self.ordering == "random":
            key = torch.rand_like(deg)
        else:
            key = deg + self.noise * torch.rand_like(deg)  # [deg, deg + 1): random ties
        order = torch.argsort(key, stable=True)
        order = order[torch.argsort(batch[order], stable=True)]  # group by graph, keep key order
        counts = torch.bincount(batch, minlength=num_graphs)
        starts = torch.cumsum(counts, 0) - counts
        rank = torch.empty_like(order)
        rank[order] = torch.arange(order.numel(), device=order.device) - starts[batch[order]]
        layout = PackedSequences.from_positions(batch, rank, num_graphs)  # no padding
        return self.mamba(x, layout=layout)

    def forward(self, x: Tensor, edge_index: Tensor, batch: Optional[Tensor] = None) -> Tensor:
        if batch is None:
            batch = torch.zeros(x.size(0), dtype=torch.long, device=x.device)
        num_graphs = int(batch.max()) + 1 if x.size(0) > 0 else 0
        if self.input_norm is not None:
            x = self.input_norm(x)
        deg = degree(edge_index[1], x.size(0), dtype=x.dtype)
        if self.ordering == "pagerank":
            deg = _pagerank(edge_index, x.size(0), deg) * x.size(0)
        if self.training:
            return self._one_ordering(x, deg, batch, num_graphs)
        outs = [self._one_ordering(x, deg, batch, num_graphs) for _ in range(self.eval_orderings)]
        return torch.stack(outs).mean(dim=0)
