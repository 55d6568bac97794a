import math

import torch

from graphkit.pretrain.info_nce import info_nce


def test_info_nce_matches_hand_computed_value():
    a = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    b = torch.tensor([[0.6, 0.8], [0.0, 1.0]])
    scale = 2.0
    # a @ b.T = [[0.6, 0.0], [0.8, 1.0]]; rows of a vs b, then rows of b vs a (transpose)
    ce_ab = -(math.log(math.exp(1.2) / (math.exp(1.2) + math.exp(0.0)))
              + math.log(math.exp(2.0) / (math.exp(1.6) + math.exp(2.0)))) / 2
    ce_ba = -(math.log(math.exp(1.2) / (math.exp(1.2) + math.exp(1.6)))
              + math.log(math.exp(2.0) / (math.exp(0.0) + math.exp(2.0)))) / 2
    assert math.isclose(float(info_nce(a, b, scale)), 0.5 * (ce_ab + ce_ba), rel_tol=1e-6)


def test_info_nce_gathered_negatives_with_offset_equal_full_batch_rows():
    torch.manual_seed(0)
    a = torch.nn.functional.normalize(torch.randn(6, 4), dim=-1)
    b = torch.nn.functional.normalize(torch.randn(6, 4), dim=-1)
    full = info_nce(a, b, 3.0)
    # two "ranks" of 3 rows each, negatives gathered: the mean of their losses is the full loss
    parts = [info_nce(a[r * 3:(r + 1) * 3], b[r * 3:(r + 1) * 3], 3.0, b_all=b, a_all=a, offset=3 * r)
             for r in range(2)]
    assert torch.allclose(full, sum(parts) / 2, atol=1e-6)
