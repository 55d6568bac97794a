"""Graph–summary pairs of one source graph, built once and cached on disk."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import Tensor

from graphkit.atomic import write_atomic
from graphkit.loader.subgraph_sampler import SubgraphSampler
from graphkit.loader.subgraph_set import SubgraphSet
from graphkit.text.text_encoder import TextEncoder, texts_key
from graphkit.text.text_graph import TextGraph


@dataclass(frozen=True)
class PairSet:
    """Subgraph ``i`` of ``subgraphs`` is paired with ``summary_emb[i]``."""

    subgraphs: SubgraphSet
    summary_emb: Tensor  # [S, text_dim]

    def __len__(self) -> int:
        return len(self.subgraphs)


def build_pairs(graph: TextGraph, centres: Tensor, sampler: SubgraphSampler, summarizer,
                encoder: TextEncoder, cache_dir: Path | None = None) -> PairSet:
    """Subgraphs around ``centres``, their summaries and summary embeddings.

    The result is cached in ``cache_dir`` under a hash of the node texts, the centres
    and every sampler / summarizer / encoder option, as a ``weights_only`` torch file:
    the text encoder is frozen, so pretraining never runs it inside the training loop.
    """
    centres = centres.long().view(-1)
    key = hashlib.sha256(json.dumps({
        "texts": texts_key(encoder.model_id, graph.texts, encoder.max_length),
        "edges": hashlib.sha256(graph.edge_index.numpy().tobytes()).hexdigest(),
        "centres": hashlib.sha256(centres.numpy().tobytes()).hexdigest(),
        "sampler": sampler.options(), "summarizer": summarizer.options(),
        "encoder": [encoder.model_id, encoder.max_length],
    }, sort_keys=True, default=str).encode()).hexdigest()[:24]
    path = (cache_dir or encoder.cache_dir) / f"pairs-{key}.pt"
    if path.is_file():
        stored = torch.load(path, weights_only=True)
        return PairSet(subgraphs=SubgraphSet(**stored["subgraphs"]), summary_emb=stored["summary_emb"])
    subgraphs = sampler.sample(graph.edge_index, graph.num_nodes, centres)
    summaries = summarizer(graph.texts, subgraphs)
    summary_emb = encoder.encode(summaries, desc=f"{graph.name} summaries")
    write_atomic(path, lambda f: torch.save({"subgraphs": dict(vars(subgraphs)), "summary_emb": summary_emb}, f))
    return PairSet(subgraphs=subgraphs, summary_emb=summary_emb)
