"""Heterophilous node classification: WebKB (Cornell, Texas, Wisconsin) and Actor, with the
10 Geom-GCN 60/20/20 splits. Parsing is PyG's ``WebKB`` / ``Actor``."""

from __future__ import annotations

from functools import partial

from graphkit.datasets.checksums import known_file
from graphkit.datasets.dataset_spec import DatasetSpec
from graphkit.datasets.load_context import LoadContext
from graphkit.datasets.loaded_dataset import NODE_CLASSIFICATION, LoadedDataset
from graphkit.datasets.planetoid import GEOM_GCN_URL, geom_gcn_split_paths, masks_to_splits


def _paths(geom_name: str) -> list[str]:
    graph = [f"geom-gcn/new_data/{geom_name}/out1_node_feature_label.txt",
             f"geom-gcn/new_data/{geom_name}/out1_graph_edges.txt"]
    return graph + geom_gcn_split_paths(geom_name)


def _load(ctx: LoadContext, geom_name: str) -> LoadedDataset:
    from torch_geometric.datasets import Actor, WebKB

    if geom_name == "film":
        # Actor reads <root>/raw; WebKB reads <root>/<name>/raw.
        ctx.stage(_paths(geom_name), ctx.work_dir / "raw")
        data = Actor(str(ctx.work_dir))[0]
    else:
        ctx.stage(_paths(geom_name), ctx.work_dir / geom_name / "raw")
        data = WebKB(str(ctx.work_dir), geom_name)[0]
    splits = masks_to_splits(data.train_mask, data.val_mask, data.test_mask)
    del data.train_mask, data.val_mask, data.test_mask
    return LoadedDataset(
        name=ctx.spec.name, task=ctx.spec.task, metric=ctx.spec.metric, data=data, splits=splits,
        num_features=data.num_features, num_classes=int(data.y.max()) + 1,
    )


def _spec(name: str, geom_name: str, nodes: int, edges: int, description: str) -> DatasetSpec:
    return DatasetSpec(
        name=name,
        task=NODE_CLASSIFICATION,
        metric="accuracy",
        source="Geom-GCN (Pei et al. 2020)",
        citation="https://arxiv.org/abs/2002.05287",
        description=description,
        files=tuple(known_file(p, f"{GEOM_GCN_URL}/{p.split('/', 1)[1]}") for p in _paths(geom_name)),
        loader=partial(_load, geom_name=geom_name),
        splits=("geom-gcn",),
        num_graphs=1,
        num_nodes=nodes,
        num_edges=edges,
        directed=True,  # the raw edge lists are directed links; PyG keeps them so
    )


SPECS = (
    _spec("cornell", "cornell", 183, 298, "WebKB Cornell web pages, directed links, 5 classes"),
    _spec("texas", "texas", 183, 325, "WebKB Texas web pages, directed links, 5 classes"),
    _spec("wisconsin", "wisconsin", 251, 515, "WebKB Wisconsin web pages, directed links, 5 classes"),
    _spec("actor", "film", 7600, 30019, "actor co-occurrence on Wikipedia pages, 5 classes"),
)
