import torch
import torch_geometric.nn as pyg_nn

from graphkit.nn.conv.gine_conv import GINEConv
from tests.nn._graphs import two_graphs


def test_gine_conv_matches_pyg():
    torch.manual_seed(0)
    data = two_graphs()
    mlp = torch.nn.Sequential(torch.nn.Linear(8, 8), torch.nn.ReLU(), torch.nn.Linear(8, 8))
    ours = GINEConv(mlp, eps=0.3)
    ref = pyg_nn.GINEConv(mlp, eps=0.3)
    expected = ref(data.x, data.edge_index, data.edge_attr)
    assert torch.allclose(ours(data.x, data.edge_index, data.edge_attr), expected, atol=1e-6)
