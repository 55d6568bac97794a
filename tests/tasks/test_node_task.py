import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch_geometric.data import Data

from graphkit.datasets.loaded_dataset import NODE_MULTILABEL, LoadedDataset
from graphkit.tasks.node_task import NodeTask, node_metric_names
from tests.trainers.helpers import two_communities

CPU = torch.device("cpu")


class FixedLogits(nn.Module):
    """Returns the same per-node logits whatever the graph (and records that it was called)."""

    def __init__(self, logits: torch.Tensor) -> None:
        super().__init__()
        self.logits = nn.Parameter(logits.clone())
        self.calls = 0

    def forward(self, data):
        self.calls += 1
        return self.logits


def test_node_task_loss_uses_only_training_nodes():
    dataset = two_communities()
    task = NodeTask(dataset, split_index=0, device=CPU)
    logits = torch.randn(10, 2, generator=torch.Generator().manual_seed(0))
    (batch,) = list(task.train_batches(epoch=0))
    assert batch.tolist() == [0, 1, 5, 6]
    loss = task.training_step(FixedLogits(logits), batch)
    torch.testing.assert_close(loss, F.cross_entropy(logits[[0, 1, 5, 6]], dataset.data.y[[0, 1, 5, 6]]))
    changed = logits.clone()
    changed[[2, 3, 4, 7, 8, 9]] = 100.0  # validation and test nodes do not enter the loss
    assert task.training_step(FixedLogits(changed), batch).item() == pytest.approx(loss.item())


def test_node_task_eval_returns_the_split_rows_and_metrics_are_right():
    dataset = two_communities()
    task = NodeTask(dataset, split_index=0, device=CPU)
    # test nodes 3, 4 (class 0) and 8, 9 (class 1); predict 3 -> 0, 4 -> 1, 8 -> 1, 9 -> 1
    logits = torch.zeros(10, 2)
    logits[[3], 0] = 2.0
    logits[[4, 8, 9], 1] = 2.0
    (batch,) = list(task.eval_batches("test"))
    pred, target = task.eval_step(FixedLogits(logits), batch)
    assert target.tolist() == [0, 0, 1, 1] and pred.shape == (4, 2)
    metrics = task.metrics(pred, target)
    assert metrics["accuracy"] == pytest.approx(0.75)
    # class 0: P=1, R=.5 -> F1 2/3; class 1: P=2/3, R=1 -> F1 .8
    assert metrics["macro_f1"] == pytest.approx((2 / 3 + 0.8) / 2)
    assert metrics["cross_entropy"] == pytest.approx(F.cross_entropy(pred, target).item(), rel=1e-6)
    assert set(metrics) == {"accuracy", "macro_f1", "cross_entropy", "rocauc"}  # 2 classes: ROC-AUC too
    # class-1 scores: node 3 low, nodes 4, 8, 9 tied high: pairs (8|9 vs 3) win, (8|9 vs 4) tie
    assert metrics["rocauc"] == pytest.approx((1 + 0.5 + 1 + 0.5) / 4)
    assert task.higher_is_better and task.out_channels == 2 and task.metric == "accuracy"


def test_node_task_multilabel_uses_bce_and_f1():
    y = torch.tensor([[1, 0, 1], [0, 1, 0], [1, 1, 0], [0, 0, 1]], dtype=torch.float)
    split = {"train": torch.tensor([0, 1]), "valid": torch.tensor([2]), "test": torch.tensor([2, 3])}
    dataset = LoadedDataset(name="ml", task=NODE_MULTILABEL, metric="micro_f1", splits=[split],
                            num_features=1, num_classes=3,
                            data=Data(x=torch.ones(4, 1), edge_index=torch.empty(2, 0, dtype=torch.long), y=y))
    task = NodeTask(dataset, split_index=0, device=CPU)
    logits = torch.randn(4, 3, generator=torch.Generator().manual_seed(1))
    loss = task.training_step(FixedLogits(logits), torch.tensor([0, 1]))
    torch.testing.assert_close(loss, F.binary_cross_entropy_with_logits(logits[:2], y[:2]))
    assert set(task.metrics(y[[2, 3]] * 4 - 2, y[[2, 3]])) == {"micro_f1", "macro_f1"}
    assert task.metrics(y[[2, 3]] * 4 - 2, y[[2, 3]])["micro_f1"] == pytest.approx(1.0)


def test_node_metric_names_add_the_requested_metric():
    assert node_metric_names(False, 3, "accuracy") == ["accuracy", "macro_f1", "cross_entropy"]
    assert "rocauc" in node_metric_names(False, 2, "accuracy")
    assert node_metric_names(True, 5, "micro_f1") == ["micro_f1", "macro_f1"]
    assert node_metric_names(False, 3, "rocauc")[-1] == "rocauc"
