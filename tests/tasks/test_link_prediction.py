import os

import pytest
import torch
import torch.multiprocessing as mp
from torch import nn

from graphkit.config import ModelConfig, OptimConfig, from_dict
from graphkit.errors import ConfigError
from graphkit.linkpred.edge_split import undirected_pairs
from graphkit.tasks.link_prediction import LinkPredictionTask
from tests.linkpred._graphs import EDGES, NUM_NODES


class _Recorder(nn.Module):
    """A link model that scores pairs by a learnable bias and remembers its inputs."""

    def __init__(self, target_link_removal: bool) -> None:
        super().__init__()
        self.target_link_removal = target_link_removal
        self.bias = nn.Parameter(torch.zeros(1))
        self.seen: list[torch.Tensor] = []

    def encode(self, x, adj):
        self.seen.append(adj.to_dense())
        return torch.zeros(adj.size(0), 1)

    def predict(self, h, adj, edge_label_index):
        return self.bias.expand(edge_label_index.size(1)) + edge_label_index[0].float() * 0

    def forward(self, x, adj, edge_label_index):
        return self.predict(self.encode(x, adj), adj, edge_label_index)


def _task(batch_size: int = 2, metric: str = "hits@20", **kwargs) -> LinkPredictionTask:
    pairs = undirected_pairs(EDGES).t()
    split = {
        "train": {"edge": pairs[:5]},
        "valid": {"edge": pairs[5:6], "edge_neg": torch.tensor([[0, 5], [1, 4]])},
        "test": {"edge": pairs[6:], "edge_neg": torch.tensor([[0, 4], [2, 5]])},
    }
    return LinkPredictionTask(x=torch.randn(NUM_NODES, 3), num_nodes=NUM_NODES, split=split,
                              batch_size=batch_size, device=torch.device("cpu"), metric=metric,
                              **kwargs)


@pytest.mark.parametrize("removal", [True, False])
def test_link_task_target_link_removal_removes_batch_edges(removal):
    task = _task()
    model = _Recorder(removal)
    torch.manual_seed(0)
    for batch in task.train_batches(0):
        model.seen.clear()
        loss = task.training_step(model, batch)
        assert torch.isfinite(loss)
        adj = model.seen[0]
        for u, v in task.train_edge[batch[0]].tolist():
            assert adj[u, v] == adj[v, u] == (0.0 if removal else 1.0)
        # all other training edges stay in the input graph
        others = torch.ones(task.train_edge.size(0), dtype=torch.bool)
        others[batch[0]] = False
        for u, v in task.train_edge[others].tolist():
            assert adj[u, v] == 1.0


def test_link_task_batches_cover_training_edges_with_fresh_negatives():
    task = _task(batch_size=2)
    batches = list(task.train_batches(0))
    assert len(batches) == 2  # 5 edges: the partial batch is dropped
    seen = torch.cat([b[0] for b in batches])
    assert seen.unique().numel() == 4
    train = {tuple(e) for e in task.train_edge.tolist()}
    for _, neg, _ in batches:
        for u, v in neg.t().tolist():
            assert u != v and (min(u, v), max(u, v)) not in train


def test_link_task_eval_and_metrics():
    task = _task(metric="hits@1")
    model = _Recorder(False)
    rows = [task.eval_step(model, batch) for batch in task.eval_batches("test")]
    pred, target = torch.cat([r[0] for r in rows]), torch.cat([r[1] for r in rows])
    assert pred.shape == target.shape == (3,)
    assert sorted(target.tolist()) == [0.0, 0.0, 1.0]
    metrics = task.metrics(torch.tensor([2.0, 1.0, 3.0]), target)
    # the best negative (3.0) beats the positive; with fewer than K negatives OGB counts a hit
    assert metrics["hits@1"] == 0.0 and metrics["hits@20"] == 1.0
    assert metrics["auc"] == pytest.approx(0.5)
    assert set(metrics) >= {"hits@1", "hits@20", "hits@50", "hits@100", "mrr", "auc"}


def test_link_task_rejects_non_link_metric():
    with pytest.raises(ConfigError, match="accuracy"):
        LinkPredictionTask(x=None, num_nodes=NUM_NODES, split=_task().split, batch_size=2,
                           device=torch.device("cpu"), metric="accuracy")


def test_link_task_epoch_order_depends_only_on_seed_and_epoch():
    first = [b[2] for b in _task(seed=3).train_batches(epoch=2)]
    torch.manual_seed(123)  # the global RNG must not matter
    again = [b[2] for b in _task(seed=3).train_batches(epoch=2)]
    other = [b[2] for b in _task(seed=3).train_batches(epoch=3)]
    assert all(torch.equal(a, b) for a, b in zip(first, again))
    assert not all(torch.equal(a, b) for a, b in zip(first, other))


def test_link_task_shards_every_global_batch_across_ranks():
    full = list(_task(batch_size=4, seed=1).train_batches(epoch=0))
    shards = [list(_task(batch_size=4, seed=1, rank=r, world_size=2).train_batches(epoch=0))
              for r in (0, 1)]
    assert len(shards[0]) == len(shards[1]) == len(full)
    for step, (index, neg, global_index) in enumerate(full):
        parts = [shards[r][step] for r in (0, 1)]
        # both ranks remove the whole global batch's edges; together they cover it once
        assert all(torch.equal(p[2], global_index) for p in parts)
        assert torch.equal(torch.sort(torch.cat([p[0] for p in parts])).values, torch.sort(index).values)
        assert torch.equal(torch.cat([p[1] for p in parts], dim=1).sort(dim=1).values,
                           neg.sort(dim=1).values)


def test_link_task_eval_shards_partition_the_split():
    model = _Recorder(False)
    full = [task_batch for task_batch in _task().eval_batches("test")]
    shards = [[b for b in _task(rank=r, world_size=2).eval_batches("test")] for r in (0, 1)]
    count = lambda batches, positive: sum(b[2].numel() for b in batches if b[1] == positive)
    for positive in (True, False):
        assert count(shards[0], positive) + count(shards[1], positive) == count(full, positive)
    pred = torch.cat([_task(rank=r, world_size=2).eval_step(model, b)[1] for r in (0, 1) for b in shards[r]])
    assert sorted(pred.tolist()) == [0.0, 0.0, 1.0]


def _train_link(rank: int, world_size: int, port: int, run_dir: str, out: str) -> None:
    from graphkit.catalog import load  # a spawned process starts without the built-in parts

    load()
    from graphkit.distributed import init_from_env, shutdown
    from graphkit.models import build_model_for
    from graphkit.trainers import checkpoint as ckpt
    from graphkit.trainers.run_dir import RunDir
    from graphkit.trainers.trainer import Trainer
    from tests.models.test_ncn import _link_dataset

    if world_size > 1:
        os.environ.update(RANK=str(rank), WORLD_SIZE=str(world_size), LOCAL_RANK=str(rank),
                          MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    torch.set_num_threads(1)
    dist = init_from_env(torch.device("cpu"))
    ckpt.seed_everything(0)
    task = _task(batch_size=4, seed=0, rank=rank, world_size=world_size)
    task.eval_batch_size = 1  # several evaluation chunks per rank
    # no dropout: then N processes compute exactly one process's steps
    cfg = from_dict(ModelConfig, {"name": "gae", "conv": "gcn", "hidden_channels": 8,
                                  "dropout": 0.0, "decoder": "mlp", "target_link_removal": True})
    model = build_model_for(cfg, _link_dataset(features=3), 1)
    trainer = Trainer(optim=OptimConfig(lr=0.05), epochs=3, run_dir=RunDir(run_dir),
                      device=torch.device("cpu"), progress=False, dist=dist)
    result = trainer.fit(model, task, seed=0, split=0)
    torch.save({"state": model.state_dict(), "val": result.val, "test": result.test}, f"{out}.{rank}")
    shutdown()


def test_link_task_two_gloo_processes_match_one_process(tmp_path):
    from graphkit.distributed import free_port

    _train_link(0, 1, 0, str(tmp_path / "one"), str(tmp_path / "one.pt"))
    mp.spawn(_train_link, args=(2, free_port(), str(tmp_path / "two"), str(tmp_path / "two.pt")), nprocs=2)
    one = torch.load(tmp_path / "one.pt.0")
    for rank in (0, 1):
        two = torch.load(tmp_path / f"two.pt.{rank}")
        for key, value in one["state"].items():
            torch.testing.assert_close(two["state"][key], value, atol=1e-5, rtol=1e-4)
        assert two["val"] == pytest.approx(one["val"]) and two["test"] == pytest.approx(one["test"])
