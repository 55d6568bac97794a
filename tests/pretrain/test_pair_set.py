"""The pair cache: reused, and rebuilt with a warning when damaged (never unpickled)."""

import importlib.util
import pickle
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file, save_file

from graphkit.errors import GraphkitWarning
from graphkit.loader.subgraph_sampler import SubgraphSampler
from graphkit.pretrain.graph_clip_task_config import GraphCLIPTaskConfig
from graphkit.pretrain.pair_set import build_pairs
from graphkit.text import TemplateSummarizer, TextEncoder
from graphkit.text.text_graph import TextGraph
from tests.pickle_payloads import RanPayload as _Payload

_spec = importlib.util.spec_from_file_location("tiny_tag", Path(__file__).parents[1] / "text" / "tiny_tag.py")
tiny_tag = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tiny_tag)


@pytest.fixture(scope="module")
def setting(tmp_path_factory):
    root = tmp_path_factory.mktemp("pairs")
    encoder = TextEncoder(cache_dir=root / "cache", progress=False)
    graph = TextGraph.load(str(tiny_tag.write_tiny_tag(root / "tag", per_class=2)), encoder)
    sampler = SubgraphSampler(**GraphCLIPTaskConfig(max_nodes=4, max_edges=6).sampler_options(), seed=0)
    return graph, sampler, encoder


def _build(setting, cache_dir, centres=torch.arange(6)):
    graph, sampler, encoder = setting
    return build_pairs(graph, centres, sampler, TemplateSummarizer(), encoder, cache_dir=cache_dir)


def _other_centres(path):
    t = load_file(path)
    t["centres"] = t["centres"] + 1
    save_file(t, path)


def _short_embeddings(path):
    t = load_file(path)
    t["summary_emb"] = t["summary_emb"][:, :5].contiguous()
    save_file(t, path)


def _edges_outside(path):
    t = load_file(path)
    t["edge_index"] = t["edge_index"] + 50
    save_file(t, path)


@pytest.mark.parametrize("damage, problem", [
    (lambda p: p.write_bytes(p.read_bytes()[:100]), "is unreadable"),  # truncated
    (lambda p: p.write_bytes(pickle.dumps(_Payload())), "is unreadable"),
    (lambda p: torch.save({"x": _Payload()}, p), "is unreadable"),  # the old torch-pickle format
    (_other_centres, "holds other centres"),
    (_short_embeddings, r"has summary embeddings of shape \[6, 5\] \(torch.float32\), expected \[6, 384\]"),
    (_edges_outside, "has edges outside their subgraphs"),
    (lambda p: save_file({"nodes": torch.zeros(2)}, p), "lacks centres, node_ptr"),
])
def test_damaged_pair_cache_is_rebuilt_with_a_warning(setting, tmp_path, damage, problem):
    first = _build(setting, tmp_path)
    (path,) = tmp_path.glob("pairs-*.safetensors")
    damage(path)
    with pytest.warns(GraphkitWarning, match=f"pair cache .* {problem}.*; building the pairs again"):
        again = _build(setting, tmp_path)
    assert not _Payload.ran
    assert torch.equal(again.subgraphs.nodes, first.subgraphs.nodes)
    assert torch.allclose(again.summary_emb, first.summary_emb, atol=1e-5)
    reread = _build(setting, tmp_path)  # the rebuilt file is read back as it is
    assert torch.equal(reread.summary_emb, again.summary_emb)


def test_pairs_are_saved_once_built_and_reused_without_encoding(setting, tmp_path, monkeypatch, capsys):
    graph, sampler, encoder = setting
    first = _build(setting, tmp_path)
    monkeypatch.setattr(TextEncoder, "_encode", lambda *a, **k: pytest.fail("encoded again"))
    monkeypatch.setattr(encoder, "progress", True)
    again = _build(setting, tmp_path)
    assert torch.equal(again.summary_emb, first.summary_emb)
    for k in ("centres", "nodes", "node_ptr", "edge_index", "edge_ptr", "rwse"):
        assert torch.equal(getattr(again.subgraphs, k), getattr(first.subgraphs, k))
    assert f"{graph.name} pairs: 6 read from" in capsys.readouterr().err
