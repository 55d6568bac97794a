import pytest
import torch

from graphkit.nn.layers.gps_layer import GPSLayer
from graphkit.nn.mamba.graph_sequence_mamba import GraphSequenceMamba
from tests.nn._graphs import permute_nodes, two_graphs


@pytest.mark.parametrize("local", ["gine", "gatedgcn", "gat", "gcn", "none"])
@pytest.mark.parametrize("glob", ["transformer", "performer", "none"])
def test_gps_layer_permutation_equivariant(local, glob):
    if local == "none" and glob == "none":
        pytest.skip("not a valid layer")
    torch.manual_seed(0)
    data = two_graphs()
    layer = GPSLayer(8, local_conv=local, global_model=glob, heads=2).eval()
    perm = torch.tensor([2, 4, 0, 1, 3, 7, 5, 6])  # within each graph
    x_p, ei_p = permute_nodes(data.x, data.edge_index, perm)
    out, e_out = layer(data.x, data.edge_index, data.edge_attr, data.batch)
    out_p, e_out_p = layer(x_p, ei_p, data.edge_attr, data.batch)
    assert out.shape == (8, 8)
    assert torch.allclose(out_p, out[perm], atol=1e-5)
    if e_out is not None:
        assert torch.allclose(e_out_p, e_out, atol=1e-5)


def test_gps_layer_gatedgcn_updates_edge_features_across_layers():
    torch.manual_seed(0)
    data = two_graphs()
    layers = [GPSLayer(8, local_conv="gatedgcn", global_model="transformer", heads=2)
              for _ in range(2)]
    x, e = data.x, data.edge_attr
    seen = [e]
    for layer in layers:
        x, e = layer(x, data.edge_index, e, data.batch)
        seen.append(e)
    assert not torch.allclose(seen[1], seen[0]) and not torch.allclose(seen[2], seen[1])
    # the second layer's node output depends on the edge features the first one produced
    x1, e1 = layers[0](data.x, data.edge_index, data.edge_attr, data.batch)
    a, _ = layers[1](x1, data.edge_index, e1, data.batch)
    b, _ = layers[1](x1, data.edge_index, data.edge_attr, data.batch)
    assert not torch.allclose(a, b)


def test_graph_sequence_mamba_graph_independent_of_batch_without_noise():
    torch.manual_seed(0)
    data = two_graphs()
    mamba = GraphSequenceMamba(8, state_channels=4, noise=0.0).train()
    out = mamba(data.x, data.edge_index, data.batch)
    first = data.batch == 0
    ei_first = data.edge_index[:, first[data.edge_index[0]]]
    alone = mamba(data.x[first], ei_first, torch.zeros(5, dtype=torch.long))
    assert torch.allclose(out[first], alone, atol=1e-5)


def test_graph_sequence_mamba_orders_by_degree():
    torch.manual_seed(0)
    # star: centre 0 has degree 3, leaves degree 1; the centre must come last and so
    # see every leaf, while a leaf cannot see the centre
    edge_index = torch.tensor([[0, 0, 0, 1, 2, 3], [1, 2, 3, 0, 0, 0]])
    mamba = GraphSequenceMamba(4, state_channels=2, noise=0.0).train()
    x = torch.randn(4, 4)
    y = x.clone()
    y[0] += 1.0
    out_x, out_y = mamba(x, edge_index), mamba(y, edge_index)
    assert torch.allclose(out_x[1:], out_y[1:], atol=1e-6)
    assert not torch.allclose(out_x[0], out_y[0])


def test_graph_sequence_mamba_random_ordering_ignores_degree():
    # the star of the degree test: under a random order the centre is sometimes scanned
    # first, so over many draws a change to the centre reaches some leaf
    torch.manual_seed(0)
    edge_index = torch.tensor([[0, 0, 0, 1, 2, 3], [1, 2, 3, 0, 0, 0]])
    mamba = GraphSequenceMamba(4, state_channels=2, ordering="random").train()
    x = torch.randn(4, 4)
    y = x.clone()
    y[0] += 1.0
    leaked = False
    for _ in range(20):
        state = torch.random.get_rng_state()
        out_x = mamba(x, edge_index)
        torch.random.set_rng_state(state)  # the same permutation for both inputs
        out_y = mamba(y, edge_index)
        leaked |= not torch.allclose(out_x[1:], out_y[1:], atol=1e-6)
    assert leaked


def test_graph_sequence_mamba_fixed_order_makes_eval_averaging_a_no_op():
    torch.manual_seed(0)
    data = two_graphs()
    one = GraphSequenceMamba(8, state_channels=4, noise=0.0, eval_orderings=1).eval()
    five = GraphSequenceMamba(8, state_channels=4, noise=0.0, eval_orderings=5).eval()
    five.load_state_dict(one.state_dict())
    assert torch.allclose(one(data.x, data.edge_index, data.batch),
                          five(data.x, data.edge_index, data.batch), atol=1e-6)
    with pytest.raises(ValueError, match="ordering"):
        GraphSequenceMamba(8, ordering="bfs")
    with pytest.raises(ValueError, match="noise"):
        GraphSequenceMamba(8, noise=-1.0)
