import pytest
import torch
from torch_geometric.data import Batch, Data

from graphkit.models.mpnn import CONVS, MPNN


def _graph(n=9, seed=0):
    g = torch.Generator().manual_seed(seed)
    return Data(x=torch.randn(n, 4, generator=g), edge_index=torch.randint(0, n, (2, 24), generator=g))


@pytest.mark.parametrize("conv", [c for c in CONVS if c != "gine"])
def test_mpnn_node_level_is_permutation_equivariant(conv):
    torch.manual_seed(0)
    model = MPNN(conv, 4, 8, 3, num_layers=2, heads=2).eval()
    data = _graph()
    perm = torch.randperm(data.num_nodes)
    inverse = torch.empty_like(perm)
    inverse[perm] = torch.arange(perm.numel())
    permuted = Data(x=data.x[perm], edge_index=inverse[data.edge_index])
    torch.testing.assert_close(model(permuted), model(data)[perm], atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize("conv", ["gcn", "gin", "sage"])
def test_mpnn_graph_level_is_permutation_invariant_and_batched(conv):
    torch.manual_seed(0)
    model = MPNN(conv, 4, 8, 2, num_layers=3, level="graph", jk="cat", pool="add").eval()
    a, b = _graph(seed=1), _graph(7, seed=2)
    perm = torch.randperm(a.num_nodes)
    inverse = torch.empty_like(perm)
    inverse[perm] = torch.arange(perm.numel())
    a_perm = Data(x=a.x[perm], edge_index=inverse[a.edge_index])
    out = model(Batch.from_data_list([a, b]))
    assert out.shape == (2, 2)
    torch.testing.assert_close(model(Batch.from_data_list([a_perm, b])), out, atol=1e-5, rtol=1e-4)
    torch.testing.assert_close(model(Batch.from_data_list([a])), out[:1], atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize("conv", ["sage", "gin", "mlp"])
def test_mpnn_chunked_layerwise_inference_equals_forward(conv):
    torch.manual_seed(0)
    model = MPNN(conv, 4, 8, 3, num_layers=3, norm="batch").eval()
    data = _graph(30)
    torch.testing.assert_close(model.inference(data, chunk_size=7), model(data), atol=1e-5, rtol=1e-4)
