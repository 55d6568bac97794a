import torch
from torch_geometric.utils import to_dense_batch

from graphkit.nn.attention.padded_batch import PaddedBatch


def test_padded_batch_matches_to_dense_batch():
    batch = torch.tensor([0, 0, 0, 1, 2, 2])
    x = torch.arange(12.0).view(6, 2)
    padded = PaddedBatch.from_batch(batch, 6)
    dense, mask = to_dense_batch(x, batch)
    assert torch.equal(padded.to_dense(x), dense)
    assert torch.equal(padded.mask, mask)
    assert torch.equal(padded.to_flat(dense), x)


def test_padded_batch_order_lays_nodes_out_in_sequence():
    batch = torch.tensor([0, 0, 0, 1, 1])
    x = torch.arange(5.0).view(5, 1)
    order = torch.tensor([2, 0, 1, 4, 3])  # grouped by graph, custom order inside
    padded = PaddedBatch.from_batch(batch, 5, order=order)
    dense = padded.to_dense(x)
    assert dense[0, :, 0].tolist() == [2.0, 0.0, 1.0]
    assert dense[1, :2, 0].tolist() == [4.0, 3.0]
    assert torch.equal(padded.to_flat(dense), x)
