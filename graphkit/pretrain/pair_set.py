"""Graph–summary pairs of one source graph, built once and cached on disk."""

from __future__ import annotations

import hashlib
import json
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save
from torch import Tensor

from graphkit.atomic import write_atomic
from graphkit.errors import GraphkitWarning
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


SUBGRAPH_FIELDS = ("centres", "nodes", "node_ptr", "edge_index", "edge_ptr", "rwse")


def read_pairs(path: Path, centres: Tensor, num_nodes: int, dim: int) -> Optional[PairSet]:
    """The pairs cached at ``path`` (safetensors: plain tensors, nothing unpickled), or
    ``None`` with a warning when the file is unreadable or does not hold the pairs of
    ``centres`` (the caller builds them again and overwrites it)."""
    try:
        stored = load_file(path)
    except (SafetensorError, OSError, ValueError, RuntimeError) as e:
        problem = f"is unreadable ({str(e).splitlines()[0] if str(e) else type(e).__name__})"
    else:
        problem = _pairs_problem(stored, centres, num_nodes, dim)
        if problem is None:
            return PairSet(subgraphs=SubgraphSet(**{k: stored[k] for k in SUBGRAPH_FIELDS}),
                           summary_emb=stored["summary_emb"])
    warnings.warn(f"pair cache {path} {problem}; building the pairs again and replacing it", GraphkitWarning,
                  stacklevel=2)
    return None


def _pairs_problem(stored: dict[str, Tensor], centres: Tensor, num_nodes: int, dim: int) -> Optional[str]:
    """What is wrong with a cached pair file's tensors, or ``None``."""
    missing = [k for k in (*SUBGRAPH_FIELDS, "summary_emb") if k not in stored]
    if missing:
        return f"lacks {', '.join(missing)}"
    s = centres.numel()
    nodes, node_ptr, edge_index, edge_ptr = (stored[k] for k in ("nodes", "node_ptr", "edge_index", "edge_ptr"))
    if not torch.equal(stored["centres"], centres):
        return "holds other centres"
    if any(stored[k].dtype != torch.long for k in ("nodes", "node_ptr", "edge_index", "edge_ptr")):
        return "has non-integer indices"
    if (node_ptr.shape != (s + 1,) or edge_ptr.shape != (s + 1,) or edge_index.dim() != 2
            or edge_index.size(0) != 2 or int(node_ptr[-1]) != nodes.numel() or int(edge_ptr[-1]) != edge_index.size(1)
            or int(node_ptr[0]) != 0 or int(edge_ptr[0]) != 0 or bool((node_ptr.diff() < 1).any())
            or bool((edge_ptr.diff() < 0).any()) or stored["rwse"].dim() != 2 or stored["rwse"].size(0) != nodes.numel()):
        return "has inconsistent subgraph sizes"
    if nodes.numel() and (int(nodes.min()) < 0 or int(nodes.max()) >= num_nodes):
        return f"refers to nodes outside 0..{num_nodes - 1}"
    if edge_index.numel():
        sizes = node_ptr.diff().repeat_interleave(edge_ptr.diff())  # [E] size of each edge's subgraph
        if bool(((edge_index < 0) | (edge_index >= sizes)).any()):
            return "has edges outside their subgraphs"
    emb = stored["summary_emb"]
    if emb.shape != (s, dim) or emb.dtype != torch.float32 or not bool(torch.isfinite(emb).all()):
        return f"has summary embeddings of shape {list(emb.shape)} ({emb.dtype}), expected [{s}, {dim}] float32"
    if not bool(torch.isfinite(stored["rwse"]).all()):
        return "holds non-finite random-walk encodings"
    return None


def build_pairs(graph: TextGraph, centres: Tensor, sampler: SubgraphSampler, summarizer,
                encoder: TextEncoder, cache_dir: Path | None = None) -> PairSet:
    """Subgraphs around ``centres``, their summaries and summary embeddings.

    The result is saved in ``cache_dir`` (default the encoder's) the moment it is built,
    under a hash of the node texts, the centres and every sampler / summarizer / encoder
    option, as safetensors (plain tensors): a stopped or resumed pretraining run, and any
    later one with the same settings, reuses it; the text encoder never runs inside the
    training loop. A damaged file is rebuilt with a warning. With ``encoder.progress``,
    each stage prints a line (and the summary encoding counts with an ETA).
    """
    centres = centres.long().view(-1)
    key = hashlib.sha256(json.dumps({
        "texts": texts_key(encoder.model_id, graph.texts, encoder.max_length),
        "edges": hashlib.sha256(graph.edge_index.numpy().tobytes()).hexdigest(),
        "centres": hashlib.sha256(centres.numpy().tobytes()).hexdigest(),
        "sampler": sampler.options(), "summarizer": summarizer.options(),
        "encoder": [encoder.model_id, encoder.max_length],
    }, sort_keys=True, default=str).encode()).hexdigest()[:24]
    path = (cache_dir or encoder.cache_dir) / f"pairs-{key}.safetensors"
    dim = int(graph.x.size(1))
    if path.is_file():
        cached = read_pairs(path, centres, graph.num_nodes, dim)
        if cached is not None:
            _say(encoder, f"{graph.name} pairs: {len(cached)} read from {path}")
            return cached
    started = time.perf_counter()
    _say(encoder, f"{graph.name} pairs: sampling {centres.numel()} subgraphs")
    subgraphs = sampler.sample(graph.edge_index, graph.num_nodes, centres)
    _say(encoder, f"{graph.name} pairs: writing {centres.numel()} summaries ({time.perf_counter() - started:.1f}s so far)")
    summaries = summarizer(graph.texts, subgraphs)
    summary_emb = encoder.encode(summaries, desc=f"{graph.name} summaries")
    tensors = {**{k: getattr(subgraphs, k).contiguous() for k in SUBGRAPH_FIELDS},
               "summary_emb": summary_emb.contiguous()}
    write_atomic(path, lambda f: f.write(save(tensors)))
    _say(encoder, f"{graph.name} pairs: {centres.numel()} built in {time.perf_counter() - started:.1f}s, "
                  f"saved to {path} (a stopped or resumed run reuses them)")
    return PairSet(subgraphs=subgraphs, summary_emb=summary_emb)


def _say(encoder: TextEncoder, line: str) -> None:
    if encoder.progress:
        print(line, file=sys.stderr, flush=True)
