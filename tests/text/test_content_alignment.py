import json
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from graphkit.config import DataConfig
from graphkit.datasets import load_dataset
from graphkit.errors import DatasetError
from graphkit.text.content_alignment import ContentAlignment, read_explanations, write_summaries
from graphkit.text.jsonl_summaries import JsonlSummaries

NODES = ["Hidden Markov models for protein motif discovery: the Gibbs sampler",
         "Genetic algorithms evolve populations by crossover and mutation",
         "Case-based reasoning retrieves similar cases from memory",
         "Reinforcement learning agents maximise reward in Markov decision processes"]
# explanations in another order: written[i] explains NODES[ORDER[i]]
WRITTEN = ["Genetic Algorithms. The paper evolves a population with crossover and mutation.",
           "Reinforcement Learning. Agents learn to maximise reward.",
           "Probabilistic Methods. Hidden Markov models and the Gibbs sampler find protein motifs.",
           "Case Based. Similar cases are retrieved from memory."]
ORDER = [1, 3, 0, 2]


def test_match_finds_each_text_its_node():
    a = ContentAlignment.match(WRITTEN, NODES)
    assert a.node.tolist() == ORDER
    assert a.mutual.all() and a.num_mutual == 4 and a.duplicate_nodes == 0
    assert (a.similarity > 0).all()


def test_match_gives_the_leftover_node_to_a_text_about_nothing():
    written = WRITTEN[:3] + ["This is an error message about a font in a dvi file."]
    a = ContentAlignment.match(written, NODES)
    assert a.node.tolist() == ORDER  # the only node left is 2
    assert a.mutual.tolist() == [True, True, True, False]
    assert a.similarity[3] == 0


def test_match_assigns_identical_node_texts_one_each_and_counts_them():
    nodes = NODES[:3] + [NODES[2]]  # nodes 2 and 3 have the same text
    written = [WRITTEN[2], WRITTEN[0], WRITTEN[3], WRITTEN[3]]
    a = ContentAlignment.match(written, nodes)
    assert a.node.tolist()[:2] == [0, 1] and sorted(a.node.tolist()[2:]) == [2, 3]
    assert a.duplicate_nodes == 2 and a.num_mutual == 3


def test_texts_about_another_graph_are_one_line_not_a_silent_misalignment():
    other = ["Stock prices fell on Monday.", "The recipe needs two eggs.", "Football season opens.",
             "Rain is expected tomorrow."]
    with pytest.raises(DatasetError) as e:
        ContentAlignment.match(other, NODES, what="x.jsonl")
    assert str(e.value) == ("x.jsonl: only 0 of 4 texts are the best match of a node text and the reverse "
                            "(at least 50% expected): they do not describe this graph's nodes")
    with pytest.raises(DatasetError, match="x.jsonl: 3 texts for 4 nodes; expected one per node"):
        ContentAlignment.match(WRITTEN[:3], NODES, what="x.jsonl")


def test_read_explanations_orders_by_node_id_and_refuses_gaps_and_repeats(tmp_path):
    f = tmp_path / "e.jsonl"
    f.write_text("".join(json.dumps({"node_id": i, "model": "m", "content": f"text {i}"}) + "\n" for i in (1, 0)))
    assert read_explanations(f) == ["text 0", "text 1"]
    f.write_text(json.dumps({"node_id": 0, "content": "a"}) + "\n" + json.dumps({"node_id": 2, "content": "b"}) + "\n")
    with pytest.raises(DatasetError, match=r"node ids are not 0..1 \(missing \[1\]\)"):
        read_explanations(f)
    f.write_text(json.dumps({"node_id": 0, "content": "a"}) + "\n" + json.dumps({"node_id": 0, "content": "b"}) + "\n")
    with pytest.raises(DatasetError, match=r"e.jsonl:2: node_id 0 appears twice"):
        read_explanations(f)
    f.write_text('{"node": 0}\n')
    with pytest.raises(DatasetError, match=r"e.jsonl:1: expected"):
        read_explanations(f)


def test_written_summaries_are_what_the_jsonl_summarizer_reads(tmp_path):
    a = ContentAlignment.match(WRITTEN, NODES)
    path = write_summaries(tmp_path / "s" / "cora.jsonl", WRITTEN, a)
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    assert [r["node"] for r in rows] == [0, 1, 2, 3]
    subgraphs = SimpleNamespace(centres=torch.tensor([3, 0]))
    assert JsonlSummaries(path)(NODES, subgraphs) == [WRITTEN[1], WRITTEN[2]]


def test_tape_cora_explanations_align_to_tag_cora(mirror, tmp_path):
    explanations = read_explanations(mirror / "tag" / "cora_gpt_explanations" / "cora.jsonl")
    cora = load_dataset(DataConfig(name="tag:cora", root=str(tmp_path)))
    a = ContentAlignment.match(explanations, cora.extra["raw_texts"])
    assert a.node[0] == 1606  # the mirror's README: TAPE's node 0 (protein motifs, MEME) is tag/cora's 1606
    assert np.unique(a.node).size == 2708 and a.num_mutual > 2300
