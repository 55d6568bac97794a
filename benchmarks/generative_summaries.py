"""What generative subgraph summaries cost: a local LM through ``transformers``
(:class:`graphkit.text.GenerativeSummarizer`), on ``--num`` subgraphs of a TAG.

    OMP_NUM_THREADS=1 python benchmarks/generative_summaries.py [--model smollm2] [--dataset tag:cora]
        [--num 24] [--max-new-tokens 64] [--batch-size 8] [--out FILE.json]

Times the model load, then the generation of ``--num`` summaries from an empty cache
(seconds per summary, per 1,000 subgraphs, generated tokens per second), then the same call
again (every summary cached: no model runs). Subgraphs: the GraphCLIP task's default sampler
on the first ``--num`` nodes. Writes ``benchmarks/results/generative_summaries.json`` (or
``--out``).
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
import time
from pathlib import Path

import torch

from graphkit.catalog import load
from graphkit.loader.subgraph_sampler import SubgraphSampler
from graphkit.pretrain.graph_clip_task_config import GraphCLIPTaskConfig
from graphkit.text import GenerativeSummarizer
from graphkit.text.text_graph import load_tag


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default="smollm2")
    p.add_argument("--dataset", default="tag:cora")
    p.add_argument("--num", type=int, default=24)
    p.add_argument("--max-new-tokens", type=int, default=64)
    p.add_argument("--batch-size", type=int, default=8)
    p.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "generative_summaries.json")
    args = p.parse_args()
    load()
    dataset = load_tag(args.dataset)
    texts = dataset.extra["raw_texts"]
    sampler = SubgraphSampler(**GraphCLIPTaskConfig().sampler_options(), seed=0)
    subgraphs = sampler.sample(dataset.data.edge_index, len(texts), torch.arange(args.num))
    with tempfile.TemporaryDirectory() as cache:
        summarizer = GenerativeSummarizer(args.model, max_new_tokens=args.max_new_tokens, batch_size=args.batch_size,
                                          cache_dir=cache)
        start = time.perf_counter()
        loaded = summarizer._load()
        load_s = time.perf_counter() - start
        summarizer._load = lambda: loaded  # the timed generation below reuses this load
        tokenizer = loaded[0]
        start = time.perf_counter()
        summaries = summarizer(texts, subgraphs)
        generate_s = time.perf_counter() - start
        start = time.perf_counter()
        assert summarizer(texts, subgraphs) == summaries
        cached_s = time.perf_counter() - start
    tokens = sum(len(tokenizer(s)["input_ids"]) for s in summaries)
    result = {
        "model": str(summarizer.model_dir), "dataset": args.dataset, "num_subgraphs": args.num,
        "max_new_tokens": args.max_new_tokens, "batch_size": args.batch_size,
        "load_seconds": round(load_s, 1), "generate_seconds": round(generate_s, 1),
        "seconds_per_summary": round(generate_s / args.num, 2),
        "hours_per_1000_subgraphs": round(generate_s / args.num * 1000 / 3600, 2),
        "generated_tokens_per_second": round(tokens / generate_s, 1),
        "cached_call_seconds": round(cached_s, 2),
        "threads": torch.get_num_threads(), "machine": platform.processor() or platform.machine(),
        "examples": summaries[:3],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
