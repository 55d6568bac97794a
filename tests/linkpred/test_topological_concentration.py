import math

import pytest
import torch

from graphkit.linkpred.topological_concentration import (
    approximate_topological_concentration,
    per_node_hits,
    topological_concentration,
)
from tests.linkpred._graphs import EDGES, NUM_NODES

TARGETS = torch.tensor([[0, 2], [3, 4]])  # target edges (0, 3) and (2, 4)


def test_tc_one_hop_hand_computed():
    tc = topological_concentration(EDGES, TARGETS, NUM_NODES, num_hops=1)
    # TC_i = |N(i) ∩ N(j)| / |N(i)| averaged over i's target neighbours j
    expected = {0: 2 / 2, 3: 2 / 3, 2: 1 / 3, 4: 1 / 2}
    for node, value in expected.items():
        assert float(tc[node]) == pytest.approx(value)
    assert math.isnan(float(tc[1])) and math.isnan(float(tc[5]))


def test_tc_two_hop_hand_computed_for_one_node():
    # node 4 -> target 2. walks from 4: A[4] = {3:1, 5:1}; A²[4] = {4:2, 1:1, 2:1}
    # hoods of 2: N1(2) = {0,1,3}; N2(2) = {2,0,1,3,4} (walks of length 2 from 2)
    beta = 1 / (14 / 6)
    num = (beta ** 2 * 1 + beta ** 3 * 1      # a=1: t=3 in N1(2) and in N2(2)
           + beta ** 3 * 1 + beta ** 4 * 4)   # a=2: t=1 in N1 (weight 1); t=4,1,2 in N2 (2+1+1)
    den = (beta * 2 + beta ** 2 * 4) * (beta + beta ** 2)
    tc = topological_concentration(EDGES, TARGETS, NUM_NODES, num_hops=2)
    assert float(tc[4]) == pytest.approx(num / den)


def test_atc_is_a_cosine_and_nan_without_targets():
    atc = approximate_topological_concentration(EDGES, TARGETS, NUM_NODES, num_hops=2)
    valid = atc[[0, 2, 3, 4]]
    assert ((valid >= -1) & (valid <= 1)).all()
    assert math.isnan(float(atc[1]))
    # cosine is symmetric: the two ends of a single target edge share the value
    assert float(atc[0]) == pytest.approx(float(atc[3]))


def test_per_node_hits_follow_the_ogb_threshold():
    pos_edges = torch.tensor([[0, 0, 1], [1, 2, 2]])
    pos = torch.tensor([0.9, 0.2, 0.8])
    neg = torch.tensor([0.5, 0.1])
    hits = per_node_hits(pos_edges, pos, neg, k=1, num_nodes=4)
    # threshold 0.5: edge (0,1) hit, (0,2) miss, (1,2) hit
    assert hits[:3].tolist() == pytest.approx([0.5, 1.0, 0.5])
    assert math.isnan(float(hits[3]))
