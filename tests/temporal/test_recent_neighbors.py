import torch

from graphkit.temporal import RecentNeighbors


def test_recent_neighbors_keeps_the_latest_and_reads_strictly_before_the_query_time():
    buf = RecentNeighbors(num_nodes=5, size=2, edge_dim=1)
    # node 0 meets 1@1, 2@2, 3@3 (two batches); node 4 meets nobody
    buf.insert(torch.tensor([0, 2]), torch.tensor([1, 0]), torch.tensor([1.0, 2.0]), torch.tensor([[10.0], [20.0]]))
    buf.insert(torch.tensor([3]), torch.tensor([0]), torch.tensor([3.0]), torch.tensor([[30.0]]))
    nbr, times, feats, mask = buf.query(torch.tensor([0, 0, 0, 4, 1]), torch.tensor([9.0, 3.0, 2.0, 9.0, 9.0]))
    assert nbr[0].tolist() == [2, 3] and times[0].tolist() == [2.0, 3.0] and feats[0, :, 0].tolist() == [20.0, 30.0]
    assert mask[1].tolist() == [False, True] and nbr[1, 1] == 2  # the event at t = 3 is not before 3
    assert mask[2].tolist() == [False, False]  # 1@1 dropped (size 2), 2@2 not before 2
    assert not mask[3].any()
    assert mask[4].tolist() == [False, True] and nbr[4, 1] == 0
    buf.reset()
    assert not buf.query(torch.tensor([0]), torch.tensor([9.0]))[3].any()


def test_recent_neighbors_matches_a_brute_force_history_on_a_random_stream():
    g = torch.Generator().manual_seed(0)
    n, k, e = 7, 3, 60
    src, dst = torch.randint(0, n, (e,), generator=g), torch.randint(0, n, (e,), generator=g)
    t = torch.sort(torch.randint(0, 30, (e,), generator=g).float()).values
    msg = torch.arange(e, dtype=torch.float).view(-1, 1)
    buf = RecentNeighbors(num_nodes=n, size=k, edge_dim=1)
    start = 0
    for size in (5, 1, 9, 13, 2, 30):  # uneven batches
        stop = min(start + size, e)
        buf.insert(src[start:stop], dst[start:stop], t[start:stop], msg[start:stop])
        start = stop
    nodes = torch.arange(n).repeat(2)
    query_t = torch.cat([torch.full((n,), 100.0), torch.full((n,), 20.0)])
    nbr, times, feats, mask = buf.query(nodes, query_t)
    for row, (node, qt) in enumerate(zip(nodes.tolist(), query_t.tolist())):
        history = [(int(dst[i]) if int(src[i]) == node else int(src[i]), float(t[i]), float(msg[i]))
                   for i in range(e) for _ in range((int(src[i]) == node) + (int(dst[i]) == node))]
        kept = [h for h in history[-k:] if h[1] < qt]  # the k latest, then strictly before the query
        got = [(int(a), float(b), float(c)) for a, b, c, m in
               zip(nbr[row], times[row], feats[row, :, 0], mask[row]) if m]
        assert got == kept


def test_recent_neighbors_query_reads_the_pending_batch_strictly_before_each_query_time():
    g = torch.Generator().manual_seed(1)
    n, k, e = 6, 3, 40
    src, dst = torch.randint(0, n, (e,), generator=g), torch.randint(0, n, (e,), generator=g)
    t = torch.sort(torch.randint(0, 20, (e,), generator=g).float()).values
    msg = torch.arange(e, dtype=torch.float).view(-1, 1)
    buf = RecentNeighbors(num_nodes=n, size=k, edge_dim=1)
    buf.insert(src[:25], dst[:25], t[:25], msg[:25])
    pending = (src[25:], dst[25:], t[25:], msg[25:])  # the batch being scored, not inserted
    nodes = torch.arange(n).repeat(3)
    query_t = torch.cat([torch.full((n,), 100.0), torch.full((n,), float(t[30])), torch.full((n,), float(t[25]))])
    nbr, times, feats, mask = buf.query(nodes, query_t, batch=pending)
    for row, (node, qt) in enumerate(zip(nodes.tolist(), query_t.tolist())):
        history = [(int(dst[i]) if int(src[i]) == node else int(src[i]), float(t[i]), float(msg[i]))
                   for i in range(e) for _ in range((int(src[i]) == node) + (int(dst[i]) == node))]
        inserted = [h for h in history if h[2] < 25][-k:]  # the buffer keeps k per node
        readable = [h for h in inserted + [h for h in history if h[2] >= 25] if h[1] < qt][-k:]
        got = [(int(a), float(b), float(c)) for a, b, c, m in
               zip(nbr[row], times[row], feats[row, :, 0], mask[row]) if m]
        assert got == readable
        assert mask[row].tolist() == [False] * (k - len(got)) + [True] * len(got)  # right-aligned
    # an empty pending batch reads the buffer alone
    empty = (src[:0], dst[:0], t[:0], msg[:0])
    assert torch.equal(buf.query(nodes, query_t, batch=empty)[0], buf.query(nodes, query_t)[0])


def test_unique_node_times_matches_torch_unique_over_pairs():
    from graphkit.temporal import unique_node_times
    g = torch.Generator().manual_seed(2)
    nodes = torch.randint(0, 5, (40,), generator=g)
    t = torch.randint(0, 6, (40,), generator=g).float() * 0.5
    u_nodes, u_t, inverse = unique_node_times(nodes, t)
    ref, ref_inverse = torch.unique(torch.stack([nodes.double(), t.double()]), dim=1, return_inverse=True)
    assert torch.equal(u_nodes, ref[0].long()) and torch.equal(u_t, ref[1].float())
    assert torch.equal(inverse, ref_inverse)
