import pytest
import torch
from ogb.linkproppred import Evaluator

from graphkit.linkpred.evaluation import hits_at_k, link_metrics, mean_reciprocal_rank


def test_hits_at_k_equals_manual_computation():
    pos = torch.tensor([0.9, 0.5, 0.3, 0.8])
    neg = torch.tensor([0.1, 0.6, 0.4, 0.2, 0.7])
    # 2nd best negative is 0.6: positives strictly above it are 0.9 and 0.8
    assert hits_at_k(pos, neg, 2) == pytest.approx(0.5)
    # 1st best negative is 0.7
    assert hits_at_k(pos, neg, 1) == pytest.approx(0.5)
    # 5th best is 0.1: all but none below
    assert hits_at_k(pos, neg, 5) == pytest.approx(1.0)


def test_mrr_shared_negatives_equals_ogb_citation2_evaluator():
    torch.manual_seed(0)
    pos = torch.randn(7)
    neg = torch.cat([torch.randn(9), pos[:2]])  # ties with two positives
    expected = Evaluator("ogbl-citation2").eval(
        {"y_pred_pos": pos, "y_pred_neg": neg.expand(7, -1)})["mrr_list"].mean()
    assert mean_reciprocal_rank(pos, neg) == pytest.approx(float(expected))


def test_link_metrics_reports_hits_mrr_auc():
    out = link_metrics(torch.tensor([3.0, 2.0]), torch.tensor([1.0, 2.5, 0.0]), ks=(1, 2))
    assert out["hits@1"] == pytest.approx(0.5)  # only 3.0 beats the best negative 2.5
    assert out["hits@2"] == pytest.approx(1.0)
    assert out["auc"] == pytest.approx(5 / 6)
    assert out["mrr"] == pytest.approx((1 / 1 + 1 / 2) / 2)


def test_link_metrics_per_positive_negatives():
    pos = torch.tensor([1.0, 0.0])
    neg = torch.tensor([[0.5, 2.0], [0.5, 0.2]])
    out = link_metrics(pos, neg)
    assert out["mrr"] == pytest.approx((1 / 2 + 1 / 3) / 2)
    assert out["hits@1"] == pytest.approx(0.0)
