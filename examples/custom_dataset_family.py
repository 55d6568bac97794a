"""A dataset family in one file: ``data.name: sbm:<blocks>x<size>`` names a stochastic
block model graph (node classification: a node's label is its block), built on the fly.

    graphkit train configs/gcn/cora.yaml --plugin examples/custom_dataset_family.py \\
        data.name=sbm:4x50 trainer.epochs=50

Nothing inside graphkit is edited: the family registers itself when the plugin is imported.
A family's ``resolve(member, args, curated)`` returns a :class:`DatasetSpec` without reading
any file; its ``loader(ctx)`` builds the :class:`LoadedDataset` once per option set, and
graphkit caches it like any dataset (``data.args`` key the cache through the fingerprint).
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import partial

import torch
from torch_geometric.data import Data
from torch_geometric.utils import stochastic_blockmodel_graph

from graphkit.datasets import DatasetSpec, LoadContext, LoadedDataset
from graphkit.datasets.loaded_dataset import NODE_CLASSIFICATION
from graphkit.errors import DatasetError
from graphkit.plugins import register_dataset_family

_MEMBER = re.compile(r"^(\d+)x(\d+)$")


def _load(ctx: LoadContext, blocks: int, size: int, p_in: float, p_out: float, seed: int) -> LoadedDataset:
    generator = torch.Generator().manual_seed(seed)
    sizes = [size] * blocks
    probs = torch.full((blocks, blocks), p_out)
    probs.fill_diagonal_(p_in)
    torch.manual_seed(seed)  # stochastic_blockmodel_graph draws from the global RNG
    edge_index = stochastic_blockmodel_graph(sizes, probs, directed=False)
    y = torch.arange(blocks).repeat_interleave(size)
    n = blocks * size
    # features: a one-hot of the block plus uniform noise (non-negative, so row normalisation
    # keeps them meaningful): both the features and the edges carry signal
    x = torch.nn.functional.one_hot(y, blocks).float() + torch.rand(n, blocks, generator=generator)
    order = torch.randperm(n, generator=generator)
    cut1, cut2 = int(0.6 * n), int(0.8 * n)
    split = {"train": order[:cut1], "valid": order[cut1:cut2], "test": order[cut2:]}
    return LoadedDataset(name=ctx.spec.name, task=NODE_CLASSIFICATION, metric="accuracy", splits=[split],
                         num_features=blocks, num_classes=blocks, data=Data(x=x, edge_index=edge_index, y=y))


@register_dataset_family("sbm", example="sbm:4x50", description="stochastic block model graphs, label = block "
                         "(data.args: p_in, p_out, seed)", member="blocks>x<size")
def sbm_member(member: str, args: dict, curated) -> DatasetSpec:
    match = _MEMBER.match(member)
    if match is None:
        raise DatasetError(f"data.name 'sbm:{member}': expected sbm:<blocks>x<size>, e.g. sbm:4x50")
    blocks, size = int(match[1]), int(match[2])
    options = {"p_in": float(args.get("p_in", 0.1)), "p_out": float(args.get("p_out", 0.01)),
               "seed": int(args.get("seed", 0))}
    digest = hashlib.sha256(json.dumps([blocks, size, options], sort_keys=True).encode()).hexdigest()[:16]
    return DatasetSpec(name=f"sbm:{member}", task=NODE_CLASSIFICATION, metric="accuracy",
                       source="generated", citation="https://doi.org/10.1016/0378-8733(83)90021-7",
                       description=f"{blocks} blocks of {size} nodes", files=(),
                       loader=partial(_load, blocks=blocks, size=size, **options),
                       num_nodes=blocks * size, integrity="local", fingerprint=digest)
