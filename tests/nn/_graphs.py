"""Tiny hand-built graphs shared by the tests of the GPS / Mamba layers."""

from __future__ import annotations

import torch
from torch_geometric.data import Batch, Data


def two_graphs(channels: int = 8, seed: int = 0) -> Batch:
    """A 5-node graph (a 4-cycle with a pendant) and a 3-node path, batched."""
    gen = torch.Generator().manual_seed(seed)
    g1 = torch.tensor([[0, 1, 2, 3, 0], [1, 2, 3, 0, 4]])
    g2 = torch.tensor([[0, 1], [1, 2]])
    graphs = []
    for ei, n in ((g1, 5), (g2, 3)):
        ei = torch.cat([ei, ei.flip(0)], dim=1)
        graphs.append(Data(
            x=torch.randn(n, channels, generator=gen), edge_index=ei,
            edge_attr=torch.randn(ei.size(1), channels, generator=gen),
        ))
    return Batch.from_data_list(graphs)


def permute_nodes(x: torch.Tensor, edge_index: torch.Tensor, perm: torch.Tensor):
    """Relabels node ``perm[i]`` as ``i``: returns ``x[perm]`` and the edges renamed."""
    inverse = torch.empty_like(perm)
    inverse[perm] = torch.arange(perm.numel())
    return x[perm], inverse[edge_index]
