import pytest
import torch

from graphkit.errors import GraphkitWarning
from graphkit.loader.subgraph_sampler import SubgraphSampler
from graphkit.pretrain.graph_clip_task import embed_subgraphs
from graphkit.zeroshot.few_shot import linear_probe, sample_shots, tune_prompt, warn_short_classes


def test_linear_probe_regularisation_follows_c():
    # 4 support points of class 0 on one side, 2 of class 1 on the other: a weak penalty
    # separates them, a very strong one leaves only the prior and predicts class 0 everywhere
    train = torch.tensor([[-2.0, 0], [-1.5, 0.5], [-1.0, -0.5], [-1.2, 0.1], [2.0, 0], [1.5, 0.2]])
    y = torch.tensor([0, 0, 0, 0, 1, 1])
    test = torch.tensor([[-1.0, 0.0], [1.8, 0.0]])
    assert linear_probe(train, y, test, c=10.0).tolist() == [0, 1]
    assert linear_probe(train, y, test, c=1e-4).tolist() == [0, 0]


def test_sample_shots_draws_per_class_from_the_pool_only():
    y = torch.tensor([0, 0, 0, 1, 1, 2, 2, 2, 2])
    pool = torch.tensor([0, 1, 3, 4, 5, 6, 7])
    picked = sample_shots(y, pool, 2, seed=0)
    assert set(picked.tolist()) <= set(pool.tolist())
    assert torch.bincount(y[picked], minlength=3).tolist() == [2, 2, 2]
    assert torch.equal(picked, sample_shots(y, pool, 2, seed=0))


class _MeanOfInputs(torch.nn.Module):
    """A stand-in encoder: the unit-norm mean of each subgraph's (prompted) features."""

    def __init__(self):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(1))

    def forward(self, data, prompt=None):
        h = data.x + (prompt if prompt is not None else 0.0)
        sums = torch.zeros(int(data.batch.max()) + 1, h.size(1)).index_add_(0, data.batch, h * self.weight)
        return torch.nn.functional.normalize(sums, dim=-1)

    def scale(self):
        return torch.tensor(10.0)


def test_label_prompt_fixes_swapped_class_texts_that_a_shared_graph_prompt_cannot():
    # nodes 0,1 point along e0 and are class 0; nodes 2,3 along e1, class 1; but the class
    # texts are swapped. One shared input vector moves every node the same way and cannot
    # swap both groups; per-class offsets on the label side can.
    x = torch.tensor([[1.0, 0.1, 0], [1.0, -0.1, 0], [0.1, 1.0, 0], [-0.1, 1.0, 0]])
    y = torch.tensor([0, 0, 1, 1])
    class_emb = torch.tensor([[0.0, 1.0, 0], [1.0, 0.0, 0]])
    subgraphs = SubgraphSampler("khop", max_nodes=1, rwse_steps=0).sample(torch.zeros(2, 0, dtype=torch.long), 4,
                                                                         torch.arange(4))
    model = _MeanOfInputs()
    before = model.weight.detach().clone()
    kw = dict(epochs=200, lr=0.05, num_basis=1)

    def support_accuracy(prompt, classes):
        emb = embed_subgraphs(model, x, subgraphs, prompt=prompt)
        return float(((emb @ classes.t()).argmax(1) == y).float().mean())

    prompt, classes = tune_prompt(model, x, subgraphs, y, class_emb, label_prompt=False, **kw)
    assert classes is class_emb and support_accuracy(prompt, classes) <= 0.5
    prompt, classes = tune_prompt(model, x, subgraphs, y, class_emb, **kw)
    assert support_accuracy(prompt, classes) == 1.0
    assert torch.allclose(classes.norm(dim=-1), torch.ones(2))
    assert torch.equal(model.weight, before) and model.weight.requires_grad  # the encoder is left as it was


def test_shots_beyond_a_class_size_warn_naming_the_short_classes():
    y = torch.tensor([0, 0, 0, 1, 1, 2, 0])
    pool = torch.tensor([0, 1, 2, 3, 4])  # class 2 has no training node
    with pytest.warns(GraphkitWarning) as record:
        warn_short_classes(y, pool, [1, 3, 50], ["a", "b", "c"], "tag:toy")
    messages = [str(w.message) for w in record]
    assert messages == [
        "--shots 1: 1 of 3 classes of tag:toy have fewer than 1 training nodes ('c' 0); they get all they have",
        "--shots 3: 2 of 3 classes of tag:toy have fewer than 3 training nodes ('b' 2, 'c' 0); they get all they have",
        "--shots 50: 3 of 3 classes of tag:toy have fewer than 50 training nodes ('a' 3, 'b' 2, 'c' 0); "
        "they get all they have"]
    # and sample_shots indeed takes all it has
    assert sample_shots(y, pool, 50, seed=0).tolist() == [0, 1, 2, 3, 4]
