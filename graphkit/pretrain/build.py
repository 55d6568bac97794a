"""Turns a GraphCLIP task config and ``data.sources`` into a :class:`GraphCLIPTask`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional, Sequence

import numpy as np
import torch

from graphkit.datasets.loaded_dataset import LoadedDataset
from graphkit.distributed import DistContext
from graphkit.errors import ConfigError
from graphkit.loader.subgraph_sampler import SubgraphSampler
from graphkit.pretrain.graph_clip_task import GraphCLIPTask, PretrainSource
from graphkit.pretrain.graph_clip_task_config import GraphCLIPTaskConfig
from graphkit.pretrain.pair_set import build_pairs
from graphkit.text import TextEncoder, summarizer_resolver
from graphkit.text.text_graph import TextGraph

if TYPE_CHECKING:  # graphkit.tasks imports this module to register the task
    from graphkit.tasks.task_context import TaskContext

# Which nodes are centres and which are held out depends on this seed only, not on the
# run's seed: pairs (and their summary embeddings) are then built once and shared.
PAIR_SEED = 0


def text_encoder(cfg: GraphCLIPTaskConfig, progress: bool = True) -> TextEncoder:
    return TextEncoder(cfg.text_model, batch_size=cfg.text_batch_size,
                       max_length=cfg.text_max_length, progress=progress)


def load_source(name: str, cfg: GraphCLIPTaskConfig, encoder: TextEncoder,
                root: Optional[str] = None) -> PretrainSource:
    graph = TextGraph.load(name, encoder, root=root)
    rng = np.random.default_rng(PAIR_SEED)
    order = torch.from_numpy(rng.permutation(graph.num_nodes))
    held = min(cfg.heldout, graph.num_nodes // 4)
    valid, test, rest = order[:held], order[held:2 * held], order[2 * held:]
    if cfg.max_centres:
        rest = rest[: cfg.max_centres]
    centres = torch.cat([rest, valid, test])
    sampler = SubgraphSampler(**cfg.sampler_options(), seed=PAIR_SEED)
    summarizer = summarizer_resolver(cfg.summarizer, cfg.summarizer_path, **cfg.summarizer_options())
    pairs = build_pairs(graph, centres, sampler, summarizer, encoder)
    n_train = rest.numel()
    return PretrainSource(
        name=graph.name, x=graph.x, y=graph.y, pairs=pairs,
        class_emb=graph.class_embeddings(encoder),
        train=torch.arange(n_train), valid=torch.arange(n_train, n_train + held),
        test=torch.arange(n_train + held, n_train + 2 * held))


def build_graphclip_task(cfg: GraphCLIPTaskConfig, sources: Sequence[str], *, batch_size: int,
                         device: torch.device | str = "cpu", dist: DistContext = DistContext(),
                         root: Optional[str] = None, progress: bool = True) -> GraphCLIPTask:
    if not sources:
        raise ConfigError("data.sources: give at least one text-attributed graph "
                          "(e.g. [tag:arxiv_2023] or a TAG directory)")
    encoder = text_encoder(cfg, progress=progress and dist.is_main)
    loaded = [load_source(s, cfg, encoder, root) for s in sources]
    dims = {s.x.size(1) for s in loaded}
    if len(dims) != 1:
        raise ConfigError(f"data.sources have different text dims {sorted(dims)}")
    try:
        return GraphCLIPTask(loaded, batch_size=batch_size, steps_per_epoch=cfg.steps_per_epoch,
                             feature_mask=cfg.feature_mask, edge_drop=cfg.edge_drop,
                             center_drop=cfg.center_drop,
                             flag_steps=cfg.flag_steps, flag_step_size=cfg.flag_step_size,
                             label_weight=cfg.label_weight, device=device, dist=dist)
    except ValueError as e:
        raise ConfigError(str(e)) from None


def build_graphclip(cfg: GraphCLIPTaskConfig, dataset: LoadedDataset, ctx: TaskContext) -> GraphCLIPTask:
    """The registry's build function (``task.name: graphclip``): the sources are
    ``data.sources``, or the run's dataset alone when that list is empty."""
    sources = ctx.data.sources or (dataset.name,)
    return build_graphclip_task(cfg, sources, batch_size=ctx.batch_size, device=ctx.device, dist=ctx.dist,
                                root=ctx.data.root, progress=ctx.progress)
