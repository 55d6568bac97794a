import pytest
import torch
import torch.nn.functional as F
from torch import nn

from graphkit.tasks.node_task import NodeTask
from graphkit.tasks.sampled_node_task import SampledNodeTask
from tests.trainers.helpers import two_communities

CPU = torch.device("cpu")


class GlobalIdLogits(nn.Module):
    """Logits of a node depend on its global id only (``n_id`` in a sampled batch), so a
    sampled batch and the full graph must give the same rows for the same nodes."""

    def __init__(self, num_nodes: int) -> None:
        super().__init__()
        self.table = nn.Parameter(torch.randn(num_nodes, 2, generator=torch.Generator().manual_seed(0)))
        self.inference_calls = 0

    def forward(self, data):
        ids = data.n_id if "n_id" in data else torch.arange(data.num_nodes)
        return self.table[ids]

    def inference(self, data, chunk_size: int = 65536):
        self.inference_calls += 1
        return self(data)


def _task(**kw) -> SampledNodeTask:
    return SampledNodeTask(two_communities(), split_index=0, device=CPU, num_neighbors=[2, 2],
                           batch_size=3, seed=0, backend="csr", **kw)


def test_sampled_node_task_batches_cover_train_seeds_once_per_epoch():
    task = _task()
    batches = list(task.train_batches(epoch=0))
    seeds = [b.n_id[: b.batch_size].tolist() for b in batches]
    assert [len(s) for s in seeds] == [3, 1]
    assert sorted(sum(seeds, [])) == [0, 1, 5, 6]
    again = [b.n_id[: b.batch_size].tolist() for b in task.train_batches(epoch=0)]
    assert again == seeds  # (seed, epoch) fixes the order and the samples: resumable
    for batch in batches:  # sampled edges are edges of the graph, between sampled nodes
        edges = set(map(tuple, two_communities().data.edge_index.t().tolist()))
        glob = batch.n_id[batch.edge_index]
        assert all(tuple(e) in edges for e in glob.t().tolist())
        assert torch.equal(batch.y, two_communities().data.y[batch.n_id])


def test_sampled_node_task_loss_is_on_the_seed_nodes_only():
    task = _task()
    model = GlobalIdLogits(10)
    batch = next(iter(task.train_batches(epoch=0)))
    seeds = batch.n_id[: batch.batch_size]
    want = F.cross_entropy(model.table[seeds], two_communities().data.y[seeds])
    torch.testing.assert_close(task.training_step(model, batch), want)


def test_sampled_node_task_eval_uses_layerwise_inference_and_matches_full_batch():
    sampled, full = _task(), NodeTask(two_communities(), split_index=0, device=CPU)
    model = GlobalIdLogits(10)
    for split in ("valid", "test"):
        (batch,) = list(sampled.eval_batches(split))
        (full_batch,) = list(full.eval_batches(split))
        with torch.no_grad():  # as the trainer evaluates
            pred, target = sampled.eval_step(model, batch)
            want_pred, want_target = full.eval_step(model, full_batch)
        torch.testing.assert_close(pred, want_pred)
        assert torch.equal(target, want_target)
        assert sampled.metrics(pred, target) == pytest.approx(full.metrics(want_pred, want_target))
    assert model.inference_calls == 2
