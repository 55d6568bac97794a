import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch_geometric.data import Data
from torch_geometric.nn import global_add_pool

from graphkit.datasets.loaded_dataset import GRAPH_MULTILABEL, GRAPH_REGRESSION, LoadedDataset
from graphkit.errors import ConfigError
from graphkit.tasks.graph_task import GraphTask
from tests.trainers.helpers import paths_and_cycles, two_communities

CPU = torch.device("cpu")


class NodeCount(nn.Module):
    """Per-graph output: ``scale * number of nodes`` in every column."""

    def __init__(self, columns: int, scale: float = 1.0) -> None:
        super().__init__()
        self.columns, self.scale = columns, scale

    def forward(self, batch):
        ones = torch.ones(batch.num_nodes, self.columns)
        return self.scale * global_add_pool(ones, batch.batch, size=batch.num_graphs)


def _train_ids(task: GraphTask, epoch: int) -> list[list[int]]:
    """The graph ids (``x[0]`` of each graph stores it) of each training batch."""
    return [batch.gid.tolist() for batch in task.train_batches(epoch)]


def _with_ids(dataset: LoadedDataset) -> LoadedDataset:
    for i, g in enumerate(dataset.graphs):
        g.gid = torch.tensor([i])
    return dataset


def test_graph_task_epoch_is_a_seeded_permutation_of_the_train_split():
    dataset = _with_ids(paths_and_cycles(40))
    task = GraphTask(dataset, split_index=0, device=CPU, batch_size=6, seed=3)
    batches = _train_ids(task, epoch=0)
    assert [len(b) for b in batches] == [6, 6, 6, 2]
    assert sorted(sum(batches, [])) == list(range(20))  # train = graphs 0..19, each once
    assert _train_ids(task, epoch=0) == batches  # same (seed, epoch): same order (resume)
    assert _train_ids(task, epoch=1) != batches
    other_seed = GraphTask(dataset, split_index=0, device=CPU, batch_size=6, seed=4)
    assert _train_ids(other_seed, epoch=0) != batches


def test_graph_task_ranks_split_each_global_batch():
    dataset = _with_ids(paths_and_cycles(40))
    one = _train_ids(GraphTask(dataset, split_index=0, device=CPU, batch_size=6, seed=0), 2)
    ranks = [_train_ids(GraphTask(dataset, split_index=0, device=CPU, batch_size=6, seed=0,
                                  rank=r, world_size=2), 2) for r in range(2)]
    assert len(ranks[0]) == len(ranks[1]) == len(one)  # the same number of steps on every rank
    for whole, a, b in zip(one, *ranks):
        assert sorted(a + b) == sorted(whole) and not set(a) & set(b)
    evals = [[g for batch in GraphTask(dataset, split_index=0, device=CPU, batch_size=4, rank=r,
                                       world_size=2).eval_batches("test") for g in batch.gid.tolist()]
             for r in range(2)]
    assert sorted(evals[0] + evals[1]) == list(range(30, 40))


def test_graph_task_classification_loss_and_metrics():
    dataset = paths_and_cycles(40)
    task = GraphTask(dataset, split_index=0, device=CPU, batch_size=40)
    (batch,) = list(task.train_batches(0))
    model = NodeCount(2, scale=0.1)
    out = model(batch)
    torch.testing.assert_close(task.training_step(model, batch), F.cross_entropy(out, batch.y))
    pred, target = zip(*(task.eval_step(model, b) for b in task.eval_batches("valid")))
    metrics = task.metrics(torch.cat(pred), torch.cat(target))
    assert set(metrics) == {"accuracy", "macro_f1", "cross_entropy"}
    # equal logits for both classes: argmax picks class 0, half the valid graphs are class 0
    assert metrics["accuracy"] == pytest.approx(0.5)
    assert metrics["cross_entropy"] == pytest.approx(math.log(2))


def _regression(metric: str, multilabel: bool = False) -> LoadedDataset:
    graphs = []
    for i in range(6):
        y = torch.tensor([[float(i), float("nan") if i % 2 else 1.0]]) if multilabel else torch.tensor([float(i)])
        graphs.append(Data(x=torch.ones(i + 1, 1), edge_index=torch.empty(2, 0, dtype=torch.long), y=y))
    idx = torch.arange(6)
    task = GRAPH_MULTILABEL if multilabel else GRAPH_REGRESSION
    return LoadedDataset(name="r", task=task, metric=metric, splits=[{"train": idx, "valid": idx, "test": idx}],
                         num_features=1, num_classes=2 if multilabel else 1, graphs=graphs)


def test_graph_task_regression_loss_follows_the_metric():
    for metric, loss_fn in (("mae", F.l1_loss), ("rmse", F.mse_loss)):
        task = GraphTask(_regression(metric), split_index=0, device=CPU, batch_size=6)
        (batch,) = list(task.train_batches(0))
        out = NodeCount(1)(batch)  # graph i has i + 1 nodes, target i: every error is 1
        torch.testing.assert_close(task.training_step(NodeCount(1), batch), loss_fn(out, batch.y.view(-1, 1)))
        pred, target = task.eval_step(NodeCount(1), batch)
        metrics = task.metrics(pred, target)
        assert metrics["mae"] == pytest.approx(1.0) and metrics["rmse"] == pytest.approx(1.0)


def test_graph_task_multilabel_ignores_missing_labels():
    task = GraphTask(_regression("ap", multilabel=True), split_index=0, device=CPU, batch_size=6)
    (batch,) = list(task.train_batches(0))
    model = NodeCount(2, scale=0.1)
    out, y = model(batch), batch.y.view(-1, 2)
    labelled = ~torch.isnan(y)
    torch.testing.assert_close(task.training_step(model, batch),
                               F.binary_cross_entropy_with_logits(out[labelled], y[labelled]))
    assert torch.isfinite(task.training_step(model, batch))


def test_graph_task_rejects_node_datasets_and_small_batches():
    with pytest.raises(ConfigError, match="not a graph task"):
        GraphTask(two_communities(), split_index=0, device=CPU)
    with pytest.raises(ConfigError, match="batch_size"):
        GraphTask(paths_and_cycles(8), split_index=0, device=CPU, batch_size=1, world_size=2)
