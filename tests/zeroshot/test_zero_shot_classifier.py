import importlib.util
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch

from graphkit.loader.subgraph_sampler import SubgraphSampler
from graphkit.models.graph_clip import GraphCLIP
from graphkit.text import TextEncoder
from graphkit.text.text_graph import TextGraph, label_texts
from graphkit.zeroshot import ZeroShotClassifier, khop_mean, propagated_scores, text_scores

_spec = importlib.util.spec_from_file_location("tiny_tag", Path(__file__).parents[1] / "text" / "tiny_tag.py")
tiny_tag = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tiny_tag)


def test_label_texts_fill_template_and_append_descriptions():
    assert label_texts(["Neural_Networks"]) == ["this paper has a topic on Neural Networks"]
    assert label_texts(["cs.LG"], ["machine learning"], "about {c}") == ["about cs.LG. machine learning"]


def test_khop_mean_averages_with_neighbours_hop_by_hop():
    x = torch.tensor([[1.0], [2.0], [4.0], [8.0]])
    path = torch.tensor([[0, 1, 1, 2, 2, 3], [1, 0, 2, 1, 3, 2]])  # 0-1-2-3
    one = khop_mean(x, path, 4, 1)
    assert torch.allclose(one.view(-1), torch.tensor([1.5, 7 / 3, 14 / 3, 6.0]))
    two = khop_mean(x, path, 4, 2)
    assert torch.allclose(two.view(-1), torch.tensor([23 / 12, 17 / 6, 13 / 3, 16 / 3]))


def _tiny_tag_and_model(tmp_path):
    """The tiny TAG (texts naming their labels), its class embeddings, an untrained GraphCLIP."""
    path = tiny_tag.write_tiny_tag(tmp_path / "topics")
    encoder = TextEncoder(cache_dir=tmp_path / "cache", progress=False)
    graph = TextGraph.load(str(path), encoder, template="a text about {c}")
    class_emb = graph.class_embeddings(encoder)
    torch.manual_seed(0)
    model = GraphCLIP(graph.x.size(1), hidden_channels=32, num_layers=1, rwse_steps=4, rwse_channels=8).eval()
    return graph, class_emb, model


def test_zero_shot_on_tiny_tag_whose_texts_name_their_labels_is_near_perfect(tmp_path):
    graph, class_emb, model = _tiny_tag_and_model(tmp_path)
    nodes = torch.arange(graph.num_nodes)
    pred = ZeroShotClassifier(model, SubgraphSampler("khop", max_nodes=6, rwse_steps=4)).scores(
        graph, nodes, class_emb).argmax(1)
    assert float((pred == graph.y).float().mean()) >= 0.95
    assert float((text_scores(graph.x, nodes, class_emb).argmax(1) == graph.y).float().mean()) >= 0.95
    prop = propagated_scores(graph.x, graph.edge_index, nodes, class_emb, hops=1)
    assert prop.shape == (graph.num_nodes, 4)


def test_subtracting_the_graph_mean_removes_a_shared_text_component():
    # both nodes share a large third-axis component, and class 1's text lies near it:
    # raw cosine calls both class 1; minus the mean, each node points at its own class
    x = torch.tensor([[1.0, 0, 5], [-1.0, 0, 5]])
    class_emb = torch.nn.functional.normalize(torch.tensor([[1.0, 0, 0], [-1.0, 0, 3]]), dim=-1)
    nodes = torch.arange(2)
    assert text_scores(x, nodes, class_emb).argmax(1).tolist() == [1, 1]
    assert text_scores(x, nodes, class_emb, subtract_mean=True).argmax(1).tolist() == [0, 1]
    ring = torch.tensor([[0, 1], [1, 0]])
    assert propagated_scores(x, ring, nodes, class_emb, hops=1, subtract_mean=True).shape == (2, 2)


def test_mean_subtracted_scores_of_a_node_subset_use_the_whole_graphs_mean(tmp_path):
    graph, class_emb, model = _tiny_tag_and_model(tmp_path)
    # uncapped 1-hop subgraphs: a node's subgraph does not depend on which nodes are sampled with it
    classifier = ZeroShotClassifier(model, SubgraphSampler("khop", num_hops=1, max_nodes=1000, max_edges=10000,
                                                           rwse_steps=4))
    every = classifier.scores(graph, torch.arange(graph.num_nodes), class_emb, subtract_mean=True)
    some = torch.tensor([1, 4, 6])
    assert torch.allclose(classifier.scores(graph, some, class_emb, subtract_mean=True), every[some], atol=1e-6)
    raw = classifier.scores(graph, some, class_emb)
    both = classifier.rule_scores(graph, some, class_emb)
    assert torch.equal(both[False], raw) and torch.allclose(both[True], every[some], atol=1e-6)
    assert not torch.allclose(raw, every[some], atol=1e-3)
    assert float((every.argmax(1) == graph.y).float().mean()) >= 0.95


def test_text_prior_adds_the_propagated_text_cosine_under_each_rule(tmp_path):
    graph, class_emb, model = _tiny_tag_and_model(tmp_path)
    sampler = SubgraphSampler("khop", num_hops=1, max_nodes=1000, max_edges=10000, rwse_steps=4)
    alone = ZeroShotClassifier(model, sampler, text_prior=0.0)
    mixed = ZeroShotClassifier(model, sampler, text_prior=0.5, prior_hops=1)
    nodes = torch.tensor([0, 3, 5, 6])
    parts = alone.score_parts(graph, nodes, class_emb)
    assert parts[False][1] is None and parts[True][1] is None
    for subtract in (False, True):
        encoder = alone.scores(graph, nodes, class_emb, subtract_mean=subtract)
        prior = propagated_scores(graph.x, graph.edge_index, nodes, class_emb, hops=1, subtract_mean=subtract)
        assert torch.allclose(mixed.scores(graph, nodes, class_emb, subtract_mean=subtract),
                              encoder + 0.5 * prior, atol=1e-6)
        assert torch.allclose(mixed.score_parts(graph, nodes, class_emb, (subtract,))[subtract][0], encoder,
                              atol=1e-6)


def test_text_prior_overrules_an_encoder_that_points_at_the_wrong_class():
    # an "encoder" that maps every subgraph near class 0's text: alone it calls every node
    # class 0; with the prior, the two nodes whose neighbourhood text is class 1 flip
    class OneWay(torch.nn.Module):
        def forward(self, data, prompt=None, delta=None):
            out = torch.nn.functional.normalize(torch.tensor([[1.0, 0.5]]), dim=-1)
            return out.expand(data.center_index.numel(), -1)

    x = torch.tensor([[0.0, 1.0], [0.0, 1.0], [1.0, 0.2]])
    graph = SimpleNamespace(x=x, edge_index=torch.tensor([[0, 1], [1, 0]]), num_nodes=3)
    class_emb = torch.eye(2)
    sampler = SubgraphSampler("khop", num_hops=1, max_nodes=10, max_edges=10, rwse_steps=0)
    nodes = torch.arange(3)
    with_prior = ZeroShotClassifier(OneWay(), sampler, text_prior=1.0, prior_hops=1)
    assert ZeroShotClassifier(OneWay(), sampler, text_prior=0.0).scores(graph, nodes, class_emb).argmax(1).tolist() == [0, 0, 0]
    assert with_prior.scores(graph, nodes, class_emb).argmax(1).tolist() == [1, 1, 0]
    with pytest.raises(ValueError, match="text_prior"):
        ZeroShotClassifier(OneWay(), sampler, text_prior=-1.0)
