import pytest
import torch
from torch import nn

from graphkit.nn.attention import GraphSelfAttention, PaddedBatch
from graphkit.nn.conv import GINEConv
from graphkit.nn.layers import BlockMasks, GMNLayer, GPSBlock, GPSLayer, GSMLayer
from tests.nn._graphs import two_graphs


def _block(global_first: bool = False, seed: int = 0) -> GPSBlock:
    torch.manual_seed(seed)
    local = GINEConv(nn.Sequential(nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 8)))
    attention = GraphSelfAttention(8, heads=2)
    return GPSBlock(8, local, attention, local_inputs=("edge_index", "edge_attr"),
                    global_inputs=("batch", "padded"), global_first=global_first, norm="layer")


def _run(block: GPSBlock, data) -> torch.Tensor:
    padded = PaddedBatch.from_batch(data.batch, data.num_nodes, data.num_graphs)
    return block(data.x, data.edge_index, data.edge_attr, data.batch, padded)[0]


def test_gps_block_equals_hand_computed_gps_layer():
    block, data = _block().eval(), two_graphs()
    with torch.no_grad():
        x = data.x
        h_local = block.norm_local(x + block.local(x, data.edge_index, data.edge_attr))
        h_global = block.norm_global(x + block.global_model(x, data.batch))
        h = h_local + h_global
        want = block.norm_ff(h + block.ff2(torch.relu(block.ff1(h))))
        assert torch.allclose(_run(block, data), want, atol=1e-6)


def test_gps_block_branch_order_does_not_change_the_sum():
    data = two_graphs()
    with torch.no_grad():
        assert torch.equal(_run(_block(False).eval(), data), _run(_block(True).eval(), data))


def test_gps_block_open_masks_equal_the_plain_block():
    block, data = _block().eval(), two_graphs()
    with torch.no_grad():
        plain = _run(block, data)
        block.masks = BlockMasks(layer=torch.tensor(1.0), heads=torch.ones(2), ffn=torch.ones(16),
                                 tokens=lambda x: x.new_ones(x.size(0)),
                                 edges=lambda e: e.new_ones(e.size(0)))
        assert torch.equal(_run(block, data), plain)


def test_gps_block_masks_act_on_heads_ffn_tokens_edges_and_layer():
    block, data = _block().eval(), two_graphs()
    with torch.no_grad():
        plain = _run(block, data)
        block.masks = BlockMasks(skip=True)
        assert torch.equal(_run(block, data), data.x)  # a closed block is the identity
        block.masks = BlockMasks(layer=torch.tensor(0.25))
        assert torch.allclose(_run(block, data), 0.25 * plain + 0.75 * data.x)
        block.masks = BlockMasks(ffn=torch.zeros(16))  # no FFN channel: norm(h + b2)
        x = data.x
        h = (block.norm_local(x + block.local(x, data.edge_index, data.edge_attr))
             + block.norm_global(x + block.global_model(x, data.batch)))
        assert torch.allclose(_run(block, data), block.norm_ff(h + block.ff2.bias), atol=1e-6)
        block.masks = BlockMasks(heads=torch.zeros(2))  # no head: the attention's output bias
        h = (block.norm_local(x + block.local(x, data.edge_index, data.edge_attr))
             + block.norm_global(x + block.global_model.out_proj.bias))
        assert torch.allclose(_run(block, data), block.norm_ff(h + block.ff2(torch.relu(block.ff1(h)))),
                              atol=1e-6)
        block.masks = BlockMasks(edges=lambda e: e.new_zeros(e.size(0)))  # no message: GIN on x
        h = (block.norm_local(x + block.local.nn(x)) + block.norm_global(x + block.global_model(x, data.batch)))
        assert torch.allclose(_run(block, data), block.norm_ff(h + block.ff2(torch.relu(block.ff1(h)))),
                              atol=1e-6)


@pytest.mark.parametrize("make,old_names", [
    (lambda: GMNLayer(8, local_conv="gine", walk_length=0, heads=2), ("node_mamba.",)),
    (lambda: GMNLayer(8, local_conv="none", walk_length=2), ("token_encoder.", "token_mamba.")),
    (lambda: GSMLayer(8, num_tokenizations=2, heads=2),
     ("mamba.", "router.", "norm_mamba.", "attention.", "norm_attention.")),
])
def test_gps_block_loads_checkpoints_of_the_layers_it_replaced(make, old_names):
    layer, fresh = make(), make()
    renamed = {new: old for old, new in layer.renamed.items()}
    old_state = {}
    for key, value in layer.state_dict().items():
        new = next((n for n in renamed if key.startswith(n)), None)
        old_state[key if new is None else renamed[new] + key[len(new):]] = value
    assert any(k.startswith(old_names) for k in old_state)
    fresh.load_state_dict(old_state)  # strict
    for key, value in layer.state_dict().items():
        assert torch.equal(fresh.state_dict()[key], value)


def test_gps_layer_is_a_gps_block_with_resolved_parts():
    layer = GPSLayer(8, local_conv="gatedgcn", global_model="mamba", heads=2)
    assert isinstance(layer, GPSBlock) and layer.updates_edges and layer.attention is None
    assert layer.global_inputs == ("edge_index", "batch")
    with pytest.raises(ValueError, match="local_conv or a global_model"):
        GPSLayer(8, local_conv="none", global_model="none")
