"""Planetoid citation graphs (Cora, CiteSeer, PubMed) with the public and Geom-GCN splits.

Parsing is PyG's ``Planetoid``; we only stage the verified raw files where it looks for
them, so its own download is never triggered.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from graphkit.datasets.checksums import known_file
from graphkit.datasets.dataset_spec import DatasetSpec
from graphkit.datasets.load_context import LoadContext
from graphkit.datasets.loaded_dataset import NODE_CLASSIFICATION, LoadedDataset

if TYPE_CHECKING:
    import torch

PLANETOID_URL = "https://github.com/kimiyoung/planetoid/raw/master/data"
GEOM_GCN_URL = "https://raw.githubusercontent.com/graphdml-uiuc-jlu/geom-gcn/master"
_SUFFIXES = ("x", "tx", "allx", "y", "ty", "ally", "graph", "test.index")
NUM_GEOM_GCN_SPLITS = 10


def planetoid_paths(name: str) -> list[str]:
    return [f"planetoid/ind.{name}.{s}" for s in _SUFFIXES]


def geom_gcn_split_paths(name: str) -> list[str]:
    """Mirror paths of the 10 Geom-GCN 60/20/20 split files of ``name`` (``film`` = Actor)."""
    return [f"geom-gcn/splits/{name}_split_0.6_0.2_{i}.npz" for i in range(NUM_GEOM_GCN_SPLITS)]


def geom_gcn_split_files(name: str):
    return tuple(known_file(p, f"{GEOM_GCN_URL}/{p.split('/', 1)[1]}")
                 for p in geom_gcn_split_paths(name))


def masks_to_splits(train_mask, val_mask, test_mask) -> list[dict[str, torch.Tensor]]:
    """Boolean masks ``[N]`` or ``[N, S]`` -> one ``train/valid/test`` index dict per split."""
    from torch_geometric.utils import mask_to_index

    if train_mask.dim() == 1:
        train_mask, val_mask, test_mask = (m.unsqueeze(1) for m in (train_mask, val_mask, test_mask))
    return [
        {"train": mask_to_index(train_mask[:, i]), "valid": mask_to_index(val_mask[:, i]),
         "test": mask_to_index(test_mask[:, i])}
        for i in range(train_mask.size(1))
    ]


def _load_planetoid(ctx: LoadContext, pyg_name: str) -> LoadedDataset:
    from torch_geometric.datasets import Planetoid

    name = pyg_name.lower()
    paths = planetoid_paths(name)
    if ctx.split == "geom-gcn":
        paths += geom_gcn_split_paths(name)
    # PyG reads raw files from <root>/<Name>/[geom-gcn/]raw and downloads only what is missing.
    ctx.stage(paths, ctx.work_dir / pyg_name / ("geom-gcn" if ctx.split == "geom-gcn" else "") / "raw")
    data = Planetoid(str(ctx.work_dir), pyg_name, split=ctx.split)[0]
    splits = masks_to_splits(data.train_mask, data.val_mask, data.test_mask)
    del data.train_mask, data.val_mask, data.test_mask
    return LoadedDataset(
        name=ctx.spec.name, task=ctx.spec.task, metric=ctx.spec.metric, data=data, splits=splits,
        num_features=data.num_features, num_classes=int(data.y.max()) + 1,
    )


def _spec(pyg_name: str, nodes: int, edges: int, description: str) -> DatasetSpec:
    name = pyg_name.lower()
    files = tuple(known_file(p, f"{PLANETOID_URL}/{p.split('/', 1)[1]}") for p in planetoid_paths(name))
    return DatasetSpec(
        name=name,
        task=NODE_CLASSIFICATION,
        metric="accuracy",
        source="Planetoid (Yang et al. 2016); Geom-GCN splits",
        citation="https://arxiv.org/abs/1603.08861",
        description=description,
        files=files + geom_gcn_split_files(name),
        loader=partial(_load_planetoid, pyg_name=pyg_name),
        splits=("public", "geom-gcn"),
        num_graphs=1,
        num_nodes=nodes,
        num_edges=edges,
        directed=False,  # Planetoid's raw graph is adjacency lists of undirected citations
    )


SPECS = (
    _spec("Cora", 2708, 10556, "ML paper citations, bag-of-words features, 7 classes"),
    _spec("CiteSeer", 3327, 9104, "CS paper citations, bag-of-words features, 6 classes"),
    _spec("PubMed", 19717, 88648, "diabetes paper citations, TF-IDF features, 3 classes"),
)
