"""The pieces of benchmarks/graphclip_variants.py that run without pretraining: the mixed
summarizer plugin and the variant x target table."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import torch
from torch_geometric.utils import to_undirected

from graphkit.loader.subgraph_sampler import SubgraphSampler
from graphkit.text.template_summarizer import TemplateSummarizer

REPO = Path(__file__).resolve().parents[2]
TEXTS = ["Graph networks. : We study message passing.", "Attention is all. : Transformers.",
         "Random walks. : On graphs.", "Isolated. : Nothing links here."]


def _module(name: str):
    spec = importlib.util.spec_from_file_location(name, REPO / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_mixed_summaries_take_the_file_for_odd_centres_and_the_template_for_even(tmp_path):
    mixed = _module("mixed_summaries")
    path = tmp_path / "s.jsonl"
    path.write_text("".join(json.dumps({"node": i, "summary": f"written {i}"}) + "\n" for i in range(4)))
    subs = SubgraphSampler("khop", max_nodes=4).sample(to_undirected(torch.tensor([[0, 0], [1, 2]])), 4,
                                                      torch.tensor([3, 0, 1, 2]))
    template = TemplateSummarizer()(TEXTS, subs)
    assert mixed.MixedSummaries(str(path))(TEXTS, subs) == ["written 3", template[1], "written 1", template[3]]


def test_table_has_a_baseline_row_and_one_row_per_variant_with_source_cells():
    variants = _module("graphclip_variants")
    row = {"graphclip": 65.21, "graphclip_encoder": 64.18, "best_baseline": 67.8,
           "best_baseline_method": "text_2hop_mean-mean", "margin": -2.59, "best_graphclip_margin": -0.19}
    out = {"variants": {
        "arxiv-template": {"pretrain": {"cpu_minutes": 2.3, "wall_minutes": 2.4},
                           "suites": {"names": {"targets": {"tag:cora": row}}}},
        "cora-template": {"pretrain": {"cpu_minutes": 1.5, "wall_minutes": 1.6},
                          "suites": {"names": {"targets": {"tag:dblp": {**row, "graphclip": 67.1}}}}}}}
    lines = variants.markdown(out, "names").splitlines()
    assert lines[0] == "| variant | pretraining CPU-min (wall) | `tag:cora` | `tag:dblp` |"
    assert lines[2] == ("| best training-free baseline (either rule) | 0 | 67.80 (text_2hop_mean-mean) "
                        "| 67.80 (text_2hop_mean-mean) |")
    assert lines[3] == "| arxiv-template | 2.3 (2.4) | 65.21 / 64.18 (-2.59; -0.19) | source |"
    assert lines[4] == "| cora-template | 1.5 (1.6) | source | 67.10 / 64.18 (-2.59; -0.19) |"
