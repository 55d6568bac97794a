import importlib.util
from pathlib import Path

import torch

from graphkit.models.graph_clip import GraphCLIP
from graphkit.pretrain.subgraph_sampler import SubgraphSampler
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


def test_zero_shot_on_tiny_tag_whose_texts_name_their_labels_is_near_perfect(tmp_path):
    path = tiny_tag.write_tiny_tag(tmp_path / "topics")
    encoder = TextEncoder(cache_dir=tmp_path / "cache", progress=False)
    graph = TextGraph.load(str(path), encoder, template="a text about {c}")
    class_emb = graph.class_embeddings(encoder)
    torch.manual_seed(0)
    model = GraphCLIP(graph.x.size(1), hidden_channels=32, num_layers=1, rwse_steps=4, rwse_channels=8).eval()
    nodes = torch.arange(graph.num_nodes)
    pred = ZeroShotClassifier(model, SubgraphSampler("khop", max_nodes=6, rwse_steps=4)).scores(
        graph, nodes, class_emb).argmax(1)
    assert float((pred == graph.y).float().mean()) >= 0.95
    assert float((text_scores(graph.x, nodes, class_emb).argmax(1) == graph.y).float().mean()) >= 0.95
    prop = propagated_scores(graph.x, graph.edge_index, nodes, class_emb, hops=1)
    assert prop.shape == (graph.num_nodes, 4)
