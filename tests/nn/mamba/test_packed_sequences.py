import torch

from graphkit.nn.mamba.packed_sequences import PackedSequences


def _layout():
    # sequences of lengths 2, 3, 1; tokens listed sequence by sequence
    seq = torch.tensor([0, 0, 1, 1, 1, 2])
    pos = torch.tensor([0, 1, 0, 1, 2, 0])
    return PackedSequences.from_positions(seq, pos), seq, pos


def test_packed_sequences_time_major_slots():
    layout, _, _ = _layout()
    # lanes by length: seq 1 (3), seq 0 (2), seq 2 (1); steps hold 3, 2, 1 lanes
    assert layout.batch_sizes == (3, 2, 1)
    assert layout.offsets == (0, 3, 5)
    assert layout.forward_slot.tolist() == [1, 4, 0, 3, 5, 2]
    # reversed: seq 0 reads (1, 0), seq 1 reads (4, 3, 2)
    assert layout.backward_slot.tolist() == [4, 1, 5, 3, 0, 2]


def test_packed_sequences_gather_scatter_roundtrip():
    layout, _, _ = _layout()
    x = torch.arange(6.0).unsqueeze(1)
    for reverse in (False, True):
        assert torch.equal(layout.scatter(layout.gather(x, reverse), reverse), x)
    assert layout.gather(x)[:, 0].tolist() == [2.0, 0.0, 5.0, 3.0, 1.0, 4.0]


def test_packed_sequences_shift_index_stays_in_lane():
    layout, _, _ = _layout()
    # slot -> slot one step back in the same lane, 6 (the zero row) at a lane's start
    assert layout.shift_index(1).tolist() == [6, 6, 6, 0, 1, 3]
    assert layout.shift_index(2).tolist() == [6, 6, 6, 6, 6, 0]


def test_packed_sequences_from_mask_matches_positions():
    mask = torch.tensor([[True, True, False], [True, True, True], [True, False, False]])
    layout = PackedSequences.from_mask(mask)
    expected, _, _ = _layout()
    assert layout.batch_sizes == expected.batch_sizes
    assert torch.equal(layout.forward_slot, expected.forward_slot)
