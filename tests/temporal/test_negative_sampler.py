import pytest
import torch

from graphkit.errors import ConfigError
from graphkit.temporal import NegativeSampler

# (src, dst, t): edges (1,2) (1,3) (2,3) (1,2) (3,4) (4,1) at t = 1..6
SRC = torch.tensor([1, 1, 2, 1, 3, 4])
DST = torch.tensor([2, 3, 3, 2, 4, 1])
T = torch.arange(1, 7).double()
BATCH = slice(4, 6)  # events (3,4)@5 and (4,1)@6


def _pairs(s, d):
    return sorted(zip(s.tolist(), d.tolist()))


def test_random_negatives_keep_the_source_and_draw_stream_destinations():
    sampler = NegativeSampler(SRC, DST, T, strategy="random", seed=0)
    neg_src, neg_dst = sampler.sample(SRC, DST, T)
    assert neg_src.tolist() == SRC.tolist()
    assert set(neg_dst.tolist()) <= {1, 2, 3, 4}
    sampler.reset()
    assert sampler.sample(SRC, DST, T)[1].tolist() == neg_dst.tolist()  # reset: the same draw


def test_historical_negatives_are_past_edges_outside_the_batch_time_range():
    sampler = NegativeSampler(SRC, DST, T, strategy="historical", seed=0)
    # edges seen by t = 5: (1,2) (1,3) (2,3) (3,4); (3,4) and (4,1) occur in [5, 6]
    assert _pairs(*sampler.sample(SRC[BATCH].repeat(2)[:3], DST[BATCH].repeat(2)[:3], T[BATCH])) == \
        [(1, 2), (1, 3), (2, 3)]
    two = _pairs(*sampler.sample(SRC[BATCH], DST[BATCH], T[BATCH]))
    assert len(set(two)) == 2 and set(two) <= {(1, 2), (1, 3), (2, 3)}  # without replacement
    # more than the pool: all of it plus random pairs that are not edges of the batch
    five = _pairs(*sampler.sample(SRC[:5], DST[:5], T[BATCH]))
    assert {(1, 2), (1, 3), (2, 3)} <= set(five) and len(five) == 5
    extra = list(five)
    for pair in [(1, 2), (1, 3), (2, 3)]:
        extra.remove(pair)
    batch_edges = set(zip(SRC[:5].tolist(), DST[:5].tolist()))
    assert all(p not in batch_edges and p[0] in {1, 2, 3, 4} and p[1] in {1, 2, 3, 4} for p in extra)


def test_inductive_negatives_are_past_edges_first_seen_after_training():
    sampler = NegativeSampler(SRC, DST, T, strategy="inductive", last_observed_time=2.0, seed=0)
    # historical {(1,2) (1,3) (2,3)} minus the edges observed by t = 2 {(1,2) (1,3)}
    assert _pairs(*sampler.sample(SRC[4:5], DST[4:5], T[BATCH])) == [(2, 3)]
    with pytest.raises(ConfigError, match="last_observed_time"):
        NegativeSampler(SRC, DST, T, strategy="inductive")
    with pytest.raises(ConfigError, match="valid: random, historical, inductive"):
        NegativeSampler(SRC, DST, T, strategy="uniform")
