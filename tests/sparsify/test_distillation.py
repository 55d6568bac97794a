import math

import pytest
import torch

from graphkit.datasets.loaded_dataset import GRAPH_CLASSIFICATION, GRAPH_MULTILABEL, GRAPH_REGRESSION
from graphkit.sparsify.distillation import distillation_loss


def test_regression_uses_the_task_distance_to_the_teacher():
    s, t = torch.tensor([[1.0], [2.0]]), torch.tensor([[0.5], [4.0]])
    assert float(distillation_loss(s, t, GRAPH_REGRESSION, "mae")) == pytest.approx((0.5 + 2.0) / 2)
    assert float(distillation_loss(s, t, GRAPH_REGRESSION, "rmse")) == pytest.approx((0.25 + 4.0) / 2)


def test_classification_is_temperature_scaled_kl():
    s, t = torch.tensor([[0.0, 0.0]]), torch.tensor([[math.log(3.0), 0.0]])
    # teacher (0.75, 0.25) vs student (0.5, 0.5) at T = 1
    kl = 0.75 * math.log(0.75 / 0.5) + 0.25 * math.log(0.25 / 0.5)
    assert float(distillation_loss(s, t, GRAPH_CLASSIFICATION, "accuracy")) == pytest.approx(kl, rel=1e-5)
    # at T = 2 the teacher is (sqrt3, 1)/(sqrt3 + 1), scaled by T^2
    p = math.sqrt(3.0) / (math.sqrt(3.0) + 1.0)
    kl2 = 4.0 * (p * math.log(p / 0.5) + (1 - p) * math.log((1 - p) / 0.5))
    assert float(distillation_loss(s, t, GRAPH_CLASSIFICATION, "accuracy", 2.0)) == pytest.approx(kl2, rel=1e-5)
    assert float(distillation_loss(t, t, GRAPH_CLASSIFICATION, "accuracy")) == pytest.approx(0.0, abs=1e-7)


def test_multilabel_targets_are_teacher_probabilities():
    s, t = torch.tensor([[0.0, 2.0]]), torch.tensor([[0.0, -2.0]])
    q = 1 / (1 + math.exp(2.0))  # sigmoid(-2)
    p2 = 1 / (1 + math.exp(-2.0))
    expected = (math.log(2.0) - (q * math.log(p2) + (1 - q) * math.log(1 - p2))) / 2
    assert float(distillation_loss(s, t, GRAPH_MULTILABEL, "ap")) == pytest.approx(expected, rel=1e-5)


def test_no_gradient_reaches_the_teacher():
    s, t = torch.zeros(3, 1, requires_grad=True), torch.ones(3, 1, requires_grad=True)
    distillation_loss(s, t, GRAPH_REGRESSION, "mae").backward()
    assert t.grad is None and s.grad is not None
