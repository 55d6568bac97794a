"""Tiny hand-built datasets for trainer tests."""

from __future__ import annotations

import torch
from torch_geometric.data import Data

from graphkit.datasets.loaded_dataset import GRAPH_CLASSIFICATION, NODE_CLASSIFICATION, LoadedDataset


def two_communities() -> LoadedDataset:
    """Two 5-node cliques; the label is the clique, features are noisy label indicators."""
    g = torch.Generator().manual_seed(0)
    edges = [(i, j) for c in (0, 5) for i in range(c, c + 5) for j in range(c, c + 5) if i != j]
    edge_index = torch.tensor(edges).t()
    y = torch.tensor([0] * 5 + [1] * 5)
    x = torch.nn.functional.one_hot(y, 2).float() + 0.3 * torch.randn(10, 2, generator=g)
    split = {"train": torch.tensor([0, 1, 5, 6]), "valid": torch.tensor([2, 7]),
             "test": torch.tensor([3, 4, 8, 9])}
    return LoadedDataset(name="toy", task=NODE_CLASSIFICATION, metric="accuracy",
                         splits=[split], num_features=2, num_classes=2,
                         data=Data(x=x, edge_index=edge_index, y=y))


def paths_and_cycles(n: int = 40) -> LoadedDataset:
    """Graph classification: path graphs (class 0) against cycles (class 1), 4-7 nodes."""
    graphs = []
    for i in range(n):
        size = 4 + i % 4
        src = torch.arange(size - 1)
        edges = torch.stack([src, src + 1])
        label = i % 2
        if label:
            edges = torch.cat([edges, torch.tensor([[size - 1], [0]])], dim=1)
        edges = torch.cat([edges, edges.flip(0)], dim=1)
        graphs.append(Data(x=torch.ones(size, 1), edge_index=edges, y=torch.tensor([label])))
    idx = torch.arange(n)
    split = {"train": idx[: n // 2], "valid": idx[n // 2: 3 * n // 4], "test": idx[3 * n // 4:]}
    return LoadedDataset(name="paths-cycles", task=GRAPH_CLASSIFICATION, metric="accuracy",
                         splits=[split], num_features=1, num_classes=2, graphs=graphs)
