import torch

from graphkit.nn.attention import PaddedBatch
from graphkit.nn.layers import GSMLayer
from graphkit.nn.mamba import BiMamba, PackedSequences
from tests.nn._graphs import two_graphs


def test_bi_mamba_reversed_scan_equals_forward_scan_of_reversed_sequence():
    torch.manual_seed(0)
    bi = BiMamba(8, state_channels=4)
    x = torch.randn(2, 6, 8)
    both = bi(x)
    forward_only = bi.forward_block(x)
    backward_of_reversed = bi.backward_block(x.flip(1)).flip(1)
    torch.testing.assert_close(both, forward_only + backward_of_reversed, rtol=1e-5, atol=1e-6)
    # and the reversed scan is not the forward scan (the direction matters)
    assert not torch.allclose(backward_of_reversed, bi.backward_block(x), atol=1e-4)


def _layout(ranks: torch.Tensor, batch: torch.Tensor, num_graphs: int) -> PackedSequences:
    k = ranks.size(1)
    seq = (torch.arange(k).unsqueeze(1) * num_graphs + batch.unsqueeze(0)).reshape(-1)
    return PackedSequences.from_positions(seq, ranks.t().reshape(-1), k * num_graphs)


def _ranks(batch: torch.Tensor, num_graphs: int, k: int, seed: int) -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed)
    cols = []
    for _ in range(k):
        col = torch.empty_like(batch)
        for g in range(num_graphs):
            idx = (batch == g).nonzero().view(-1)
            col[idx] = torch.randperm(idx.numel(), generator=gen)
        cols.append(col)
    return torch.stack(cols, 1)


def test_gsm_layer_output_depends_on_the_ordering_and_is_equivariant():
    torch.manual_seed(0)
    data = two_graphs(channels=8)
    layer = GSMLayer(8, num_tokenizations=2, local_conv="gine", heads=2).eval()
    padded = PaddedBatch.from_batch(data.batch, data.num_nodes, 2)
    r1, r2 = _ranks(data.batch, 2, 2, 0), _ranks(data.batch, 2, 2, 1)
    out1, _ = layer(data.x, data.edge_index, data.edge_attr, data.batch, padded, _layout(r1, data.batch, 2))
    out2, _ = layer(data.x, data.edge_index, data.edge_attr, data.batch, padded, _layout(r2, data.batch, 2))
    assert out1.shape == (8, 8) and not torch.allclose(out1, out2, atol=1e-5)
    # relabelling the nodes, with the orderings carried along, relabels the output
    perm = torch.cat([torch.tensor([3, 0, 4, 1, 2]), torch.tensor([7, 5, 6])])
    inverse = torch.empty_like(perm)
    inverse[perm] = torch.arange(8)
    out_p, _ = layer(data.x[perm], inverse[data.edge_index], data.edge_attr, data.batch, padded,
                     _layout(r1[perm], data.batch, 2))
    torch.testing.assert_close(out_p, out1[perm], rtol=1e-4, atol=1e-5)


def test_gsm_layer_top_k_keeps_k_tokenizations_per_node():
    torch.manual_seed(0)
    layer = GSMLayer(8, num_tokenizations=3, top_k=1)
    data = two_graphs(channels=8)
    ranks = _ranks(data.batch, 2, 3, 0)
    layout = _layout(ranks, data.batch, 2)
    mixture = layer.global_model
    mixed = mixture(data.x, layout)
    per = mixture.mamba(data.x.repeat(3, 1), layout=layout).view(3, 8, 8)
    best = mixture.router(data.x).argmax(-1)
    torch.testing.assert_close(mixed, per[best, torch.arange(8)], rtol=1e-5, atol=1e-6)
