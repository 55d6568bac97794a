"""A tiny hand-built GraphGPS and mini-batch shared by the sparsify tests."""

from __future__ import annotations

import torch
from torch import nn
from torch_geometric.data import Batch, Data

from graphkit.models.graph_gps import GraphGPS
from graphkit.nn.encoding import FeatureEncoder, RWSEEncoder
from graphkit.nn.layers import GPSLayer


def tiny_gps(local_conv: str = "gine", global_model: str = "transformer", num_layers: int = 3,
             channels: int = 16, heads: int = 4, seed: int = 0) -> GraphGPS:
    torch.manual_seed(seed)
    layers = nn.ModuleList(GPSLayer(channels, local_conv=local_conv, global_model=global_model, heads=heads,
                                    dropout=0.1, attn_dropout=0.2) for _ in range(num_layers))
    model = GraphGPS(channels, num_layers, out_channels=2, level="graph",
                     node_encoder=FeatureEncoder("embedding", channels - 4, num_types=5),
                     edge_encoder=FeatureEncoder("embedding", channels, num_types=3),
                     rwse_encoder=RWSEEncoder(3, 4), layers=layers, pool="add", head_layers=2)
    return model


def tiny_batch(seed: int = 0) -> Batch:
    gen = torch.Generator().manual_seed(seed)
    graphs = []
    for n in (4, 7, 5):
        src = torch.arange(n)
        dst = (src + 1) % n
        chord = torch.tensor([[0], [n // 2]])
        edge_index = torch.cat([torch.stack([src, dst]), torch.stack([dst, src]), chord, chord.flip(0)], 1)
        graphs.append(Data(x=torch.randint(0, 5, (n, 1), generator=gen), edge_index=edge_index,
                           edge_attr=torch.randint(0, 3, (edge_index.size(1),), generator=gen),
                           rwse=torch.rand(n, 3, generator=gen), y=torch.randn(1, 2, generator=gen)))
    return Batch.from_data_list(graphs)


def warm_norms(model: nn.Module, batch: Batch) -> None:
    """A few training-mode passes so that BatchNorm running statistics are not trivial."""
    model.train()
    with torch.no_grad():
        for _ in range(3):
            model(batch)
    model.eval()
