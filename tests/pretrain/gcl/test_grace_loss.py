import math

import torch

from graphkit.pretrain.gcl.grace_loss import grace_loss, grace_semi_loss


def test_grace_loss_orthonormal_views_hand_value():
    # 4 nodes, both views the same orthonormal rows: θ(u_i, v_j) = θ(u_i, u_j) = [i == j].
    # Denominator e^{1/τ} + 3 (inter negatives, e^0) + 3 (intra negatives): l = log(1 + 6 e^{-1/τ}).
    z = torch.eye(4)
    tau = 0.5
    expected = math.log(1 + 6 * math.exp(-2.0))  # 0.59438...
    assert abs(grace_loss(z, z, tau).item() - expected) < 1e-6
    assert torch.allclose(grace_semi_loss(z, z, tau), torch.full((4,), expected))


def test_grace_loss_paired_views_hand_value():
    # view 1: e1, e2, e3, e4; view 2: e1, e1, e3, e3 (scaled rows: cosine ignores the norm).
    # Node 0 of view 1: positive cos 1; inter negatives cos(e1, e1)=1, cos(e1, e3)=0 twice; intra 0 x3:
    #   l = -log(e^2 / (e^2 + e^2 + 2 + 3)).  Node 1: positive cos(e2, e1) = 0;
    #   inter 0 (e1), 0, 0 plus positive 1 -> denominator 4 + 3 intra e^0: l = -log(1 / 7).
    u = torch.eye(4)
    v = torch.tensor([[2.0, 0, 0, 0], [1, 0, 0, 0], [0, 0, 3, 0], [0, 0, 1, 0]])
    tau = 0.5
    e2 = math.exp(2.0)
    l0 = -math.log(e2 / (2 * e2 + 5))
    l1 = -math.log(1 / 7)
    semi = grace_semi_loss(u, v, tau)
    assert torch.allclose(semi, torch.tensor([l0, l1, l0, l1]), atol=1e-6)
    # view 2 against view 1: node 0's intra negatives are v_1 (cos 1) and v_2, v_3 (cos 0):
    #   -log(e^2 / (e^2 + 3 + e^2 + 2)); node 1: positive cos(e1, e2) = 0, inter e^2 (u_0) + 3, intra e^2 + 2
    m0 = -math.log(e2 / (2 * e2 + 5))
    m1 = -math.log(1 / (2 * e2 + 5))
    assert torch.allclose(grace_semi_loss(v, u, tau), torch.tensor([m0, m1, m0, m1]), atol=1e-6)
    assert abs(grace_loss(u, v, tau).item() - 0.5 * (2 * l0 + 2 * l1 + 2 * m0 + 2 * m1) / 4) < 1e-6


def test_grace_loss_blocked_rows_equal_full():
    torch.manual_seed(0)
    z1, z2 = torch.randn(9, 5), torch.randn(9, 5)
    assert torch.allclose(grace_loss(z1, z2, 0.7), grace_loss(z1, z2, 0.7, batch_size=4), atol=1e-6)
