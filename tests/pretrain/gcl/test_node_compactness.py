import pytest
import torch
from torch_geometric.utils import degree, to_undirected

from graphkit.models.gcl_encoder import GCLEncoder
from graphkit.pretrain.gcl.node_compactness import (
    adjacency_range,
    compactness_direction,
    drop_budget,
    node_compactness,
    view_compactness,
)


def _graph():
    # 8 nodes: a 5-cycle with chords plus a triangle hanging off node 4
    pairs = [(0, 1), (1, 2), (2, 3), (3, 4), (4, 0), (0, 2), (1, 3), (4, 5), (5, 6), (6, 4), (6, 7), (7, 5)]
    return to_undirected(torch.tensor(pairs).t())


def _case(activation: str, num_layers: int, seed: int):
    """The 8-node graph, random features, an encoder (PReLU slope 0.3), a direction, and
    the adjacency range at drop rate 0.5."""
    torch.manual_seed(seed)
    edge_index = _graph()
    x = torch.randn(8, 5)
    model = GCLEncoder(5, 4, num_layers=num_layers, activation=activation)
    if model.prelu is not None:
        with torch.no_grad():
            model.prelu.weight.fill_(0.3)
    return edge_index, x, model, compactness_direction(torch.randn(8, 4)), adjacency_range(edge_index, 8, 0.5)


def test_drop_budget_hand_values():
    # degrees 1, 2, 5, 10 at p = 0.4: round(0.4 d) = 0, 1, 2, 4; never the last edge
    assert drop_budget(torch.tensor([1.0, 2.0, 5.0, 10.0]), 0.4).tolist() == [0.0, 1.0, 2.0, 4.0]
    assert drop_budget(torch.tensor([1.0, 2.0, 5.0]), 0.9).tolist() == [0.0, 1.0, 4.0]


def test_adjacency_range_contains_every_view_in_budget():
    edge_index = _graph()
    rng = adjacency_range(edge_index, 8, 0.5)
    # the clean graph's normalized entries lie inside the range
    deg = degree(edge_index[1], 8) + 1
    target, source = rng.index
    clean = (deg[target] * deg[source]).rsqrt()
    assert torch.all(rng.lower <= clean + 1e-7) and torch.all(clean <= rng.upper + 1e-7)
    # the diagonal's lower end is 1 / (d + 1), off-diagonal entries can vanish
    n_edges = edge_index.size(1)
    assert torch.allclose(rng.lower[n_edges:], 1.0 / deg)
    assert torch.all(rng.lower[:n_edges] == 0)


@pytest.mark.parametrize("activation,num_layers", [("relu", 2), ("prelu", 2), ("relu", 1), ("relu", 3)])
def test_node_compactness_is_never_beaten_by_sampled_views(activation, num_layers):
    edge_index, x, model, direction, rng = _case(activation, num_layers, seed=0)
    n, drop = 8, 0.5
    with torch.no_grad():
        bound = node_compactness(model, x, rng, direction)
        deg = degree(edge_index[1], n)
        tightest = torch.full((n,), float("inf"))
        kept_views = 0
        for _ in range(3000):
            keep = torch.rand(edge_index.size(1)) >= drop
            view = edge_index[:, keep]
            if torch.any(deg - degree(view[1], n) > rng.budget):
                continue  # outside the augmentation range the bound is stated for
            kept_views += 1
            score = (model.encode(x, view) * direction).sum(-1)
            tightest = torch.minimum(tightest, score)
    assert kept_views > 200
    assert torch.all(bound <= tightest + 1e-5)
    # a bound, but not a vacuous one: within a few units of the sampled minimum
    assert torch.all(tightest - bound < 10.0)


def test_gcl_encoder_equals_stacked_gcnconv():
    torch.manual_seed(1)
    edge_index = _graph()
    x = torch.randn(8, 5)
    model = GCLEncoder(5, 3, num_layers=2, activation="prelu")
    h = x
    for conv in model.convs:
        h = model.act(conv(h, edge_index))
    assert torch.allclose(model.encode(x, edge_index), h, atol=1e-6)
    first = x @ model.gcn_layers()[0][0]
    assert torch.allclose(model.encode(x, edge_index, first), h, atol=1e-6)


@pytest.mark.parametrize("activation,num_layers", [("relu", 2), ("prelu", 2), ("relu", 1), ("relu", 3)])
def test_view_compactness_lower_bounds_each_view_in_range(activation, num_layers):
    edge_index, x, model, direction, rng = _case(activation, num_layers, seed=2)
    n, drop = 8, 0.5
    deg = degree(edge_index[1], n)
    scores, checked = [], 0
    with torch.no_grad():
        certified = node_compactness(model, x, rng, direction)
        for _ in range(400):
            view = edge_index[:, torch.rand(edge_index.size(1)) >= drop]
            if torch.any(deg - degree(view[1], n) > rng.budget):
                continue
            checked += 1
            true = (model.encode(x, view) * direction).sum(-1)
            score = view_compactness(model, x, rng, direction, view)
            assert torch.all(score <= true + 1e-5)
            scores.append(score)
    assert checked > 30
    # on its own view the score sits closer to the truth than the bound over the whole range
    assert torch.stack(scores).mean() > certified.mean()


def test_view_compactness_is_exact_for_a_linear_encoder_and_carries_gradients():
    # PReLU with slope 1 is the identity: no relaxation gap, the score is the view's true value
    torch.manual_seed(3)
    edge_index = _graph()
    x = torch.randn(8, 5)
    model = GCLEncoder(5, 4, num_layers=2, activation="prelu")
    with torch.no_grad():
        model.prelu.weight.fill_(1.0)
    direction = compactness_direction(torch.randn(8, 4))
    rng = adjacency_range(edge_index, 8, 0.5)
    view = edge_index[:, ::2]
    score = view_compactness(model, x, rng, direction, view)
    true = (model.encode(x, view) * direction).sum(-1)
    assert torch.allclose(score, true, atol=1e-5)
    score.sum().backward()
    grads = [conv.lin.weight.grad for conv in model.convs]
    assert all(g is not None and torch.isfinite(g).all() and g.abs().sum() > 0 for g in grads)
