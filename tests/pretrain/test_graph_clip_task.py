import torch
import torch.nn.functional as F
from torch_geometric.utils import to_undirected

from graphkit.loader.subgraph_sampler import SubgraphSampler
from graphkit.models.graph_clip import GraphCLIP
from graphkit.pretrain.graph_clip_task import GraphCLIPTask, PretrainSource
from graphkit.pretrain.pair_set import PairSet


def _source(name: str, n: int, classes: int, seed: int) -> PretrainSource:
    g = torch.Generator().manual_seed(seed)
    ei = to_undirected(torch.stack([torch.arange(n), (torch.arange(n) + 1) % n]))
    subs = SubgraphSampler("khop", max_nodes=3, rwse_steps=2).sample(ei, n, torch.arange(n))
    x = F.normalize(torch.randn(n, 8, generator=g), dim=-1)
    return PretrainSource(name=name, x=x, y=torch.arange(n) % classes, pairs=PairSet(subs, x.flip(0)),
                          class_emb=F.normalize(torch.randn(classes, 8, generator=g), dim=-1),
                          train=torch.arange(n - 4), valid=torch.arange(n - 4, n - 2), test=torch.arange(n - 2, n))


def test_batches_draw_equally_from_every_source():
    a, b = _source("a", 20, 3, 0), _source("b", 9, 2, 1)
    task = GraphCLIPTask([a, b], batch_size=8, steps_per_epoch=5, feature_mask=0.0, edge_drop=0.0, flag_steps=0)
    torch.manual_seed(0)
    for batch in task.train_batches(0):
        ids = batch["graph"].node_id[batch["graph"].center_index]
        assert batch["text"].shape == (8, 8) and ids.numel() == 8
        # first half from source a (its train nodes < 16), second half from b (< 5)
        assert (ids[:4] < 16).all() and (ids[4:] < 5).all()
        assert torch.equal(batch["text"][:4], a.pairs.summary_emb[ids[:4]])


def test_center_drop_zeroes_only_centre_rows_and_leaves_the_source_intact():
    a = _source("a", 20, 3, 0)
    kept = a.x.clone()
    task = GraphCLIPTask([a], batch_size=16, steps_per_epoch=4, feature_mask=0.0, edge_drop=0.0, flag_steps=0,
                         center_drop=0.5)
    torch.manual_seed(0)
    dropped_total = 0
    for batch in task.train_batches(0):
        graph = batch["graph"]
        zero = (graph.x == 0).all(1)
        assert not zero[~graph.center_mask].any()  # neighbours keep their text
        assert torch.equal(graph.x[~zero], a.x[graph.node_id[~zero]])
        dropped_total += int(zero[graph.center_index].sum())
    assert 16 <= dropped_total <= 48  # about half of 64 centres
    assert torch.equal(a.x, kept)


def test_label_weight_adds_the_class_text_loss_of_each_source():
    a, b = _source("a", 20, 3, 0), _source("b", 9, 2, 1)
    kw = dict(batch_size=8, steps_per_epoch=1, feature_mask=0.0, edge_drop=0.0, flag_steps=0)
    torch.manual_seed(0)
    batch = next(iter(GraphCLIPTask([a, b], **kw).train_batches(0)))
    model = GraphCLIP(8, hidden_channels=8, num_layers=1, heads=2, rwse_steps=2, rwse_channels=2).eval()
    plain = GraphCLIPTask([a, b], **kw).training_step(model, batch)
    with_labels = GraphCLIPTask([a, b], label_weight=0.5, **kw).training_step(model, batch)
    g = model(batch["graph"])
    y = batch["label"]
    expected = 0.5 * (F.cross_entropy(model.scale() * g[:4] @ a.class_emb.t(), y[:4])
                      + F.cross_entropy(model.scale() * g[4:] @ b.class_emb.t(), y[4:])) / 2
    assert torch.allclose(with_labels - plain, expected, atol=1e-5)


def test_validation_reports_zero_shot_accuracy_per_source_and_contrastive_loss():
    a, b = _source("a", 20, 3, 0), _source("b", 9, 2, 1)
    task = GraphCLIPTask([a, b], batch_size=8, flag_steps=0)
    model = GraphCLIP(8, hidden_channels=8, num_layers=1, heads=2, rwse_steps=2, rwse_channels=2).eval()
    preds, targets = zip(*(task.eval_step(model, batch) for batch in task.eval_batches("valid")))
    metrics = task.metrics(torch.cat(preds), torch.cat(targets))
    assert set(metrics) == {"zeroshot_accuracy", "zeroshot_accuracy_minus_mean", "contrastive_loss",
                            "zeroshot_accuracy/a", "zeroshot_accuracy/b"}
    assert metrics["zeroshot_accuracy"] == (metrics["zeroshot_accuracy/a"] + metrics["zeroshot_accuracy/b"]) / 2
    assert task.model_inputs().num_features == 8 and task.model_inputs().rwse_dim == 2


def test_validation_also_reports_accuracy_minus_each_sources_mean_embedding():
    # 2 held-out nodes of one source; the class-1 text lies near the embeddings' common
    # direction (third axis), so raw cosine calls both nodes class 1
    task = GraphCLIPTask([_source("a", 20, 2, 0)], batch_size=8, flag_steps=0)
    s = task.sources[0]
    s.class_emb = F.normalize(torch.tensor([[1.0, 0, 0] + [0] * 5, [-1.0, 0, 3] + [0] * 5]), dim=-1)
    g = F.normalize(torch.tensor([[1.0, 0, 5] + [0] * 5, [-1.0, 0, 5] + [0] * 5]), dim=-1)
    pred = torch.cat([g, g, g @ s.class_emb.t(), torch.ones(2, 1)], 1)
    metrics = task.metrics(pred, torch.tensor([[0, 0], [1, 0]]))
    assert metrics["zeroshot_accuracy"] == 0.5 and metrics["zeroshot_accuracy_minus_mean"] == 1.0
