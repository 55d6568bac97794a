import math

import numpy as np
import pytest
import torch
from sklearn.metrics import average_precision_score, roc_auc_score

from graphkit.tasks import metrics as M

NAN = float("nan")


def test_multitask_rocauc_and_ap_average_labelled_tasks_with_both_classes():
    # three tasks: task 2 has only positives labelled, so OGB's rule leaves it out
    target = torch.tensor([[1, 0, 1], [0, NAN, 1], [1, 1, NAN], [0, 0, 1], [NAN, 1, 1]])
    pred = torch.tensor([[0.9, 0.2, 0.5], [0.1, 0.7, 0.3], [0.4, 0.8, 0.1], [0.6, 0.1, 0.9], [0.3, 0.6, 0.2]])
    t0 = [1, 0, 1, 0], [0.9, 0.1, 0.4, 0.6]
    t1 = [0, 1, 0, 1], [0.2, 0.8, 0.1, 0.6]
    assert M.rocauc(pred, target) == pytest.approx((roc_auc_score(*t0) + roc_auc_score(*t1)) / 2)
    assert M.average_precision(pred, target) == pytest.approx(
        (average_precision_score(*t0) + average_precision_score(*t1)) / 2)


def test_single_task_metrics_match_ogb_evaluator_shapes():
    target = torch.tensor([[1.0], [0.0], [1.0], [0.0]])
    pred = torch.tensor([[0.8], [0.3], [0.4], [0.5]])
    assert M.rocauc(pred, target) == pytest.approx(roc_auc_score([1, 0, 1, 0], [0.8, 0.3, 0.4, 0.5]))
    reg_t, reg_p = torch.tensor([[1.0], [2.0]]), torch.tensor([[1.5], [2.0]])
    assert M.rmse(reg_p, reg_t) == pytest.approx(math.sqrt(0.125))
    two = torch.tensor([[1.0, 0.0], [2.0, NAN]]), torch.tensor([[1.5, 1.0], [2.0, 5.0]])
    assert M.rmse(two[1], two[0]) == pytest.approx((math.sqrt(0.125) + 1.0) / 2)


def test_topk_multilabel_f1_and_accuracy_on_hand_made_labels():
    target = torch.tensor([[1.0, 0, 0], [0, 1, 1], [1, 0, 1]])
    pred = torch.tensor([[0.9, 0.5, 0.1], [0.8, 0.7, 0.6], [0.7, 0.1, 0.2]])
    # top-k by true count: row0 -> {0}, row1 -> {0, 1}, row2 -> {0, 2}
    assert M.micro_f1(pred, target) == pytest.approx(2 * 4 / (5 + 5))  # 4 hits of 5 predicted, 5 true
    assert M.accuracy(torch.tensor([[2.0, 1.0], [0.0, 3.0]]), torch.tensor([0, 0])) == 0.5
    assert np.isclose(M.cross_entropy(torch.zeros(2, 4), torch.tensor([1, 3])), math.log(4))
