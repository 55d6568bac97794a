import numpy as np
import pandas as pd
import pytest
import torch

from graphkit.errors import DatasetError
from graphkit.temporal import chronological_split


def _stream():
    # 20 events over nodes 1..10 at times 1..20; node 10 only appears late
    src = torch.tensor([1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 2, 3, 4, 5, 6, 10, 1, 10, 2, 3])
    dst = torch.tensor([2, 3, 4, 5, 6, 7, 8, 9, 1, 3, 4, 5, 6, 7, 8, 1, 10, 2, 9, 10])
    return src, dst, torch.arange(1, 21).double()


def test_chronological_split_times_and_sets_on_a_hand_made_stream():
    src, dst, t = _stream()
    split = chronological_split(src, dst, t)
    # numpy's linear quantiles of 1..20 at 0.70 and 0.85: 1 + 19 * 0.7 = 14.3, 1 + 19 * 0.85 = 17.15
    assert split.val_time == pytest.approx(14.3) and split.test_time == pytest.approx(17.15)
    assert split.valid.nonzero().view(-1).tolist() == [14, 15, 16]  # t = 15, 16, 17
    assert split.test.nonzero().view(-1).tolist() == [17, 18, 19]  # t = 18, 19, 20
    # int(0.1 * 10 nodes) = 1 node held out, drawn among the nodes active after t = 14.3
    (held,) = split.new_test_nodes.tolist()
    assert held in {6, 8, 1, 10, 2, 9, 3}
    touches = (src == held) | (dst == held)
    assert split.train.tolist() == ((t <= 14.3) & ~touches).tolist()
    train_nodes = set(src[split.train].tolist()) | set(dst[split.train].tolist())
    new = {n for n in range(1, 11) if n not in train_nodes}
    assert 10 in new and held in new
    expect_new_valid = [e for e in (14, 15, 16) if src[e].item() in new or dst[e].item() in new]
    expect_new_test = [e for e in (17, 18, 19) if src[e].item() in new or dst[e].item() in new]
    assert split.new_node_valid.nonzero().view(-1).tolist() == expect_new_valid
    assert split.new_node_test.nonzero().view(-1).tolist() == expect_new_test
    # the draw is seeded (DyGLib's 2020): the same split every time
    assert chronological_split(src, dst, t).new_test_nodes.tolist() == [held]


def test_chronological_split_rejects_unsorted_events_and_bad_ratios():
    src, dst, t = _stream()
    with pytest.raises(DatasetError, match="sorted by timestamp"):
        chronological_split(src, dst, t.flip(0))
    with pytest.raises(DatasetError, match="ratios"):
        chronological_split(src, dst, t, val_ratio=0.6, test_ratio=0.5)


def test_chronological_split_matches_dyglib_on_uci(mirror):
    frame = pd.read_csv(mirror / "dyglib" / "uci" / "ml_uci.csv")
    split = chronological_split(torch.as_tensor(frame.u.to_numpy(np.int64, copy=True)),
                                torch.as_tensor(frame.i.to_numpy(np.int64, copy=True)),
                                torch.as_tensor(frame.ts.to_numpy(np.float64, copy=True)))
    # sizes printed by DyGLib's own get_link_prediction_data('uci', 0.15, 0.15) on this file
    sizes = {k: int(split.mask(k).sum()) for k in ("train", "valid", "test", "new_node_valid", "new_node_test")}
    assert sizes == {"train": 34352, "valid": 8975, "test": 8976, "new_node_valid": 5002, "new_node_test": 5932}
    assert split.new_test_nodes.numel() == 189
    # and the same events: sums of DyGLib's edge ids (idx = row + 1) of its inductive sets
    assert int((split.new_node_valid.nonzero() + 1).sum()) == 232656807
    assert int((split.new_node_test.nonzero() + 1).sum()) == 330311457
