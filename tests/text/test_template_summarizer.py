import torch
from torch_geometric.utils import to_undirected

from graphkit.loader.subgraph_sampler import SubgraphSampler
from graphkit.text.template_summarizer import TemplateSummarizer, title_of

TEXTS = ["Graph networks. : We study message passing.", "Attention is all. : Transformers.",
         "Random walks. : On graphs.", "Isolated. : Nothing links here."]


def test_title_of_takes_the_segment_before_the_abstract():
    assert title_of("Graph networks. : We study message passing.") == "Graph networks."
    assert title_of("only a title") == "only a title"


def test_template_summary_is_deterministic_and_names_centre_and_neighbours():
    ei = to_undirected(torch.tensor([[0, 0], [1, 2]]))
    subs = SubgraphSampler("khop", max_nodes=4).sample(ei, 4, torch.arange(4))
    first = TemplateSummarizer()(TEXTS, subs)
    assert first == TemplateSummarizer()(TEXTS, subs)
    assert first[0].startswith("Graph networks. : We study message passing.")
    assert "Related: Attention is all.; Random walks.." in first[0]
    assert "(2 related items, 2 direct links.)" in first[0]
    assert first[3] == "Isolated. : Nothing links here. (0 related items, 0 direct links.)"
