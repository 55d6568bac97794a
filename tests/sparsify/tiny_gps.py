"""A tiny hand-built GraphGPS and mini-batch shared by the sparsify tests."""

from __future__ import annotations

import torch
from torch import nn
from torch_geometric.data import Batch, Data

from graphkit.models import build_model
from graphkit.models.graph_gps import GraphGPS, GraphGPSConfig
from graphkit.models.graph_mamba import GraphMambaConfig
from graphkit.models.gsm import GSMConfig
from graphkit.models.model_inputs import ModelInputs
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


FAMILY_INPUTS = ModelInputs(level="graph", out_channels=2, num_features=1, node_encoder="embedding",
                            num_node_types=5, edge_encoder="embedding", num_edge_types=3, rwse_dim=3)
_FAMILY = dict(hidden_channels=16, num_layers=2, heads=4, rwse_channels=4, dropout=0.1)
# tiny configs of every GPS-family global mixer (GraphGPS's, GMN, GSM++)
FAMILY_CONFIGS = {
    "transformer": GraphGPSConfig(name="gps", **_FAMILY, global_model="transformer"),
    "performer": GraphGPSConfig(name="gps", **_FAMILY, global_model="performer"),
    "mamba": GraphGPSConfig(name="gps", **_FAMILY, global_model="mamba", mamba_eval_orderings=3),
    "mamba-bi": GraphGPSConfig(name="gps", **_FAMILY, global_model="mamba", mamba_eval_orderings=3,
                               mamba_bidirectional=True),
    "gmn": GraphMambaConfig(name="graph_mamba", **_FAMILY, local_conv="gine", walk_length=2),
    "gmn_nodes": GraphMambaConfig(name="graph_mamba", **_FAMILY, local_conv="gatedgcn", walk_length=0,
                                  eval_orderings=2),
    "gsm": GSMConfig(name="gsm", **_FAMILY, local_conv="gine", eval_orderings=3),
}


def tiny_family(kind: str, seed: int = 0) -> nn.Module:
    """A tiny model of ``FAMILY_CONFIGS[kind]``, built from a fixed seed."""
    torch.manual_seed(seed)
    return build_model(FAMILY_CONFIGS[kind], FAMILY_INPUTS)
