import pytest
import torch

from graphkit.config import DataConfig
from graphkit.config.run_config import OptimConfig
from graphkit.datasets.dyglib import stream_dataset
from graphkit.errors import ConfigError
from graphkit.models import build_model
from graphkit.models.temporal.graph_mixer import GraphMixerConfig
from graphkit.models.temporal.tgn import TGNConfig
from graphkit.models.temporal.todyformer import TodyformerConfig
from graphkit.tasks.task_context import TaskContext
from graphkit.temporal import mean_reciprocal_rank
from graphkit.tasks.temporal_link_prediction import (TemporalLinkPredictionTask, TemporalLinkPredictionTaskConfig,
                                                     build_temporal_link_prediction_task)
from graphkit.trainers import checkpoint as ckpt
from graphkit.trainers.run_dir import RunDir
from graphkit.trainers.trainer import Trainer
from torch_geometric.data import TemporalData

CPU = torch.device("cpu")
MODELS = {
    "tgn": TGNConfig(memory_channels=8, time_channels=4, hidden_channels=8, num_neighbors=3),
    "graphmixer": GraphMixerConfig(hidden_channels=8, time_channels=4, num_neighbors=3, num_layers=1, dropout=0.0),
    "todyformer": TodyformerConfig(hidden_channels=8, time_channels=4, window=24, num_patches=3, num_blocks=2,
                                   dropout=0.0),
}


def _stream(num_nodes=10, num_events=160, seed=0):
    g = torch.Generator().manual_seed(seed)
    src = torch.randint(1, num_nodes, (num_events,), generator=g)
    dst = (src + torch.randint(1, num_nodes - 1, (num_events,), generator=g) - 1) % (num_nodes - 1) + 1
    t = torch.sort(torch.randint(0, 1000, (num_events,), generator=g).double()).values
    stream = TemporalData(src=src, dst=dst, t=t, msg=torch.rand(num_events, 2, generator=g))
    stream.x = torch.rand(num_nodes, 3, generator=g)
    return stream


def _task(stream, split, val_time, batch_size=16, within_batch=True):
    return TemporalLinkPredictionTask(src=stream.src, dst=stream.dst, t=stream.t, msg=stream.msg, x=stream.x,
                                      split=split, val_time=val_time, batch_size=batch_size, device=CPU,
                                      within_batch=within_batch)


def _model(name, task):
    torch.manual_seed(0)
    return build_model(MODELS[name], task.model_inputs()).eval()


@pytest.mark.parametrize("name", sorted(MODELS))
def test_temporal_task_no_prediction_reads_a_future_event(name):
    stream = _stream()
    dataset = stream_dataset("toy", stream)
    split, val_time = dataset.splits[0], dataset.extra["val_time"]
    task = _task(stream, split, val_time, batch_size=8)
    model = _model(name, task)
    test = split["test"]
    cut = int(test[test.numel() // 2])  # events from here on are "the future"
    before = task.event_scores(model, "test")
    # shuffle the future: other endpoints, features and times (still sorted, all >= the cut's time)
    future = _stream(seed=1)
    changed = stream.clone()
    changed.src[cut:], changed.dst[cut:] = future.src[cut:], future.dst[cut:]
    changed.msg[cut:] = future.msg[cut:]
    changed.t[cut:] = torch.sort(stream.t[cut] + torch.rand(stream.t.numel() - cut) * 50).values
    after = _task(changed, split, val_time, batch_size=8).event_scores(model, "test")
    past = (test < cut).nonzero().view(-1)
    past_batches = past[: (past.numel() // 8) * 8]  # whole batches before the cut
    assert past.numel() > 8
    # the event's own score and its random negative's, for every event before the cut (in the
    # batch that straddles the cut only float rounding may differ: it is computed beside other pairs) ...
    torch.testing.assert_close(after[past][:, :2], before[past][:, :2], rtol=0, atol=1e-6)
    # ... and every strategy's negative in batches wholly before it
    torch.testing.assert_close(after[past_batches], before[past_batches], rtol=0, atol=0)
    # the check can fail: a past event's own endpoints changed do change its score
    moved = stream.clone()
    moved.dst[int(test[0])] = (moved.dst[int(test[0])] % 9) + 1
    assert not torch.equal(_task(moved, split, val_time, batch_size=8).event_scores(model, "test")[0, 0],
                           before[0, 0])


@pytest.mark.parametrize("name", sorted(MODELS))
def test_temporal_task_within_batch_shows_exactly_the_earlier_events_of_the_batch(name):
    stream = _stream()
    dataset = stream_dataset("toy", stream)
    split, val_time = dataset.splits[0], dataset.extra["val_time"]
    model = _model(name, _task(stream, split, val_time))
    seen = _task(stream, split, val_time, batch_size=8).event_scores(model, "test")[:, 0]
    blind = _task(stream, split, val_time, batch_size=8, within_batch=False).event_scores(model, "test")[:, 0]
    test = split["test"]
    # an event whose endpoints had no strictly earlier event in its own batch scores the same both ways
    earlier = torch.zeros(test.numel(), dtype=torch.bool)
    for i, e in enumerate(test.tolist()):
        first = int(test[(i // 8) * 8])
        before = [k for k in range(first, e) if stream.t[k] < stream.t[e]]
        ends = {int(stream.src[e]), int(stream.dst[e])}
        earlier[i] = any({int(stream.src[k]), int(stream.dst[k])} & ends for k in before)
    assert earlier.any() and (~earlier).any()
    torch.testing.assert_close(seen[~earlier], blind[~earlier], rtol=0, atol=1e-6)
    assert not torch.allclose(seen[earlier], blind[earlier], rtol=0, atol=1e-6)


def test_temporal_task_metrics_average_batches_and_split_new_node_events():
    task = _task(_stream(), *(lambda d: (d.splits[0], d.extra["val_time"]))(stream_dataset("toy", _stream())),
                 batch_size=2)
    # batch 0: pos (0.9, 0.2), neg (0.1, 0.5): ranked P N P N -> AP = (1/1 + 2/3) / 2, AUC = 3/4
    # batch 1: pos (0.8, 0.7), neg (0.6, 0.1) -> AP = 1, AUC = 1
    pred = torch.tensor([[0.9, 0.1, 0.0, 0.0], [0.2, 0.5, 0.0, 0.0], [0.8, 0.6, 0.0, 0.0], [0.7, 0.1, 0.0, 0.0]])
    target = torch.tensor([[0.0, 1.0], [0.0, 0.0], [1.0, 1.0], [1.0, 0.0]])
    m = task.metrics(pred, target)
    assert m["ap"] == pytest.approx((5 / 6 + 1) / 2) and m["auc"] == pytest.approx((0.75 + 1) / 2)
    # new-node events (rows 0 and 2) form their own batch of 2: pos (0.9, 0.8), neg (0.1, 0.6)
    assert m["new_ap"] == pytest.approx(1.0) and m["new_auc"] == pytest.approx(1.0)
    assert {"ap_historical", "ap_inductive", "new_ap_historical", "new_auc_inductive"} <= set(m)


def test_temporal_task_training_batches_are_chronological_and_seeded():
    stream = _stream()
    dataset = stream_dataset("toy", stream)
    task = _task(stream, dataset.splits[0], dataset.extra["val_time"])
    batches = list(task.train_batches(0))
    order = torch.cat([b.index for b in batches])
    assert order.tolist() == dataset.splits[0]["train"].tolist() and batches[0].reset and not batches[1].reset
    assert torch.equal(torch.cat([b.neg_dst for b in task.train_batches(0)], 1),
                       torch.cat([b.neg_dst for b in batches], 1))
    assert torch.equal(torch.cat([b.neg_src for b in batches], 1)[0], stream.src[order])


class _Killed(BaseException):
    """Stands in for a SIGKILL."""


def _fit(run_dir, name, epochs, resume=False):
    stream = _stream()
    dataset = stream_dataset("toy", stream)
    ckpt.seed_everything(0)
    task = build_temporal_link_prediction_task(TemporalLinkPredictionTaskConfig(name="temporal_link_prediction"),
                                               dataset, TaskContext(data=DataConfig(name="toy", batch_size=16)))
    model = build_model(MODELS[name], task.model_inputs())
    trainer = Trainer(optim=OptimConfig(lr=0.01), epochs=epochs, run_dir=run_dir, device=CPU, progress=False)
    return trainer.fit(model, task, seed=0, split=0, resume=resume), model


@pytest.mark.parametrize("name", ["tgn", "todyformer"])
def test_temporal_task_resume_of_a_killed_run_equals_an_uninterrupted_one(tmp_path, monkeypatch, name):
    full, full_model = _fit(RunDir(tmp_path / "full"), name, epochs=3)
    part = RunDir(tmp_path / "part")
    original = ckpt.save_atomic

    def save(obj, path):
        if path.name == "last.pt" and obj.get("epoch") == 2:
            raise _Killed
        original(obj, path)

    monkeypatch.setattr(ckpt, "save_atomic", save)
    with pytest.raises(_Killed):
        _fit(part, name, epochs=3)
    monkeypatch.undo()
    torch.manual_seed(1234)  # a resumed process starts with unrelated RNG state
    resumed, resumed_model = _fit(part, name, epochs=3, resume=True)
    for a, b in zip(full_model.state_dict().values(), resumed_model.state_dict().values()):
        torch.testing.assert_close(a, b, rtol=0, atol=0)
    assert resumed.test == full.test and resumed.val == full.val
    assert [r["epoch"] for r in part.read_metrics()] == [0, 1, 2]


def _ranked(stream, split, k=4, seed=0):
    """Per valid/test event: its own destination first, then k - 1 random nodes; the last
    event of each split gets a shorter list (-1 pads)."""
    g = torch.Generator().manual_seed(seed)
    out = {}
    for name in ("valid", "test"):
        index = split[name]
        ranked = torch.randint(0, stream.x.size(0), (index.numel(), k), generator=g)
        ranked[:, 0] = stream.dst[index]
        ranked[-1, 2:] = -1
        out[name] = ranked.int()
    return out


@pytest.mark.parametrize("name", sorted(MODELS))
def test_temporal_task_ranks_each_event_against_its_published_negatives_in_its_own_state(name, monkeypatch):
    stream = _stream()
    dataset = stream_dataset("toy", stream, new_node_ratio=0.0, metric="mrr")
    split, val_time = dataset.splits[0], dataset.extra["val_time"]
    ranked = _ranked(stream, split)
    task = TemporalLinkPredictionTask(src=stream.src, dst=stream.dst, t=stream.t, msg=stream.msg, x=stream.x,
                                      split=split, val_time=val_time, batch_size=8, device=CPU,
                                      negatives=("random",), eval_negatives=ranked)
    assert task.metric == "mrr"
    model = _model(name, task)
    scores = task.event_scores(model, "test")
    assert scores.shape == (split["test"].numel(), 2 + 4)
    # the ranked list's first entry is the event's own destination: scored exactly as the event
    torch.testing.assert_close(scores[:, 2], scores[:, 0], rtol=0, atol=1e-6)
    assert torch.isnan(scores[-1, 4:]).all() and not torch.isnan(scores[:-1]).any()
    # scoring in chunks of 3 pairs (the model's state does not move between calls) changes nothing
    monkeypatch.setattr("graphkit.tasks.temporal_link_prediction._RANK_CHUNK", 3)
    torch.testing.assert_close(task.event_scores(model, "test"), scores, rtol=0, atol=1e-6, equal_nan=True)
    # TGB's MRR is reported from those columns; the random-negative AP beside it
    steps = [task.eval_step(model, b) for b in task.eval_batches("test")]
    pred, target = torch.cat([p for p, _ in steps]), torch.cat([t for _, t in steps])
    m = task.metrics(pred, target)
    assert m["mrr"] == pytest.approx(mean_reciprocal_rank(pred[:, 0], pred[:, 2:])) and "ap" in m


def test_temporal_task_with_published_negatives_selects_on_mrr_and_refuses_ap():
    stream = _stream()
    dataset = stream_dataset("toy", stream, new_node_ratio=0.0, metric="mrr")
    dataset.extra["eval_negatives"] = _ranked(stream, dataset.splits[0])
    ctx = TaskContext(data=DataConfig(name="toy", batch_size=8))
    task = build_temporal_link_prediction_task(TemporalLinkPredictionTaskConfig(), dataset, ctx)
    assert task.metric == "mrr" and task.eval_negatives["test"].shape[1] == 4
    with pytest.raises(ConfigError, match="selects on 'mrr'"):
        build_temporal_link_prediction_task(TemporalLinkPredictionTaskConfig(metric="ap"), dataset, ctx)
    with pytest.raises(ConfigError, match="expected \\[events of the split, K\\]"):
        TemporalLinkPredictionTask(src=stream.src, dst=stream.dst, t=stream.t, msg=stream.msg, x=stream.x,
                                   split=dataset.splits[0], val_time=0.0, batch_size=8, device=CPU,
                                   eval_negatives={"test": torch.zeros(3, 2, dtype=torch.int)})
