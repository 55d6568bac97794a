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


def test_padded_batch_pad_parts_lays_out_parts_major_and_inverts():
    batch = torch.tensor([0, 0, 0, 1, 2, 2])
    x = torch.arange(24.0).view(6, 4)  # 2 parts of width 2 per node
    padded = PaddedBatch.from_batch(batch, 6)
    grid = padded.pad_parts(x, 2).view(2, 3, 3, 2)  # [part, B, L, d]
    dense = padded.to_dense(x)  # [B, L, 4]
    assert torch.equal(grid[0], dense[..., :2])
    assert torch.equal(grid[1], dense[..., 2:])
    assert torch.equal(padded.unpad_parts(grid, 2), x)


def test_padded_batch_key_bias_masks_padding_per_head():
    batch = torch.tensor([0, 0, 0, 1])
    bias = PaddedBatch.from_batch(batch, 4).key_bias(heads=2)
    assert bias.shape == (4, 1, 3)  # [H * B, 1, L], heads-major
    for head in range(2):
        assert bias[2 * head].flatten().tolist() == [0.0, 0.0, 0.0]
        assert bias[2 * head + 1].flatten().tolist() == [0.0, float("-inf"), float("-inf")]
