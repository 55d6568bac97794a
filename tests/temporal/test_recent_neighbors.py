import torch

from graphkit.temporal import RecentNeighbors


def test_recent_neighbors_keeps_the_latest_and_reads_strictly_before_the_query_time():
    buf = RecentNeighbors(num_nodes=5, size=2, edge_dim=1)
    # node 0 meets 1@1, 2@2, 3@3 (two batches); node 4 meets nobody
    buf.insert(torch.tensor([0, 2]), torch.tensor([1, 0]), torch.tensor([1.0, 2.0]), torch.tensor([[10.0], [20.0]]))
    buf.insert(torch.tensor([3]), torch.tensor([0]), torch.tensor([3.0]), torch.tensor([[30.0]]))
    nbr, times, feats, mask = buf.query(torch.tensor([0, 0, 0, 4, 1]), torch.tensor([9.0, 3.0, 2.0, 9.0, 9.0]))
    assert nbr[0].tolist() == [2, 3] and times[0].tolist() == [2.0, 3.0] and feats[0, :, 0].tolist() == [20.0, 30.0]
    assert mask[1].tolist() == [True, False] and nbr[1, 0] == 2  # the event at t = 3 is not before 3
    assert mask[2].tolist() == [False, False]  # 1@1 dropped (size 2), 2@2 not before 2
    assert not mask[3].any()
    assert mask[4].tolist() == [False, True] and nbr[4, 1] == 0
    buf.reset()
    assert not buf.query(torch.tensor([0]), torch.tensor([9.0]))[3].any()
