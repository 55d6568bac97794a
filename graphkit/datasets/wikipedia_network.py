"""Wikipedia networks chameleon and squirrel as PyG's ``WikipediaNetwork(geom_gcn_preprocess=True)``
loads them (Rozemberczki et al., https://arxiv.org/abs/1909.13021; Geom-GCN features and
its ten 60/20/20 splits, https://arxiv.org/abs/2002.05287). The raw edge lists are
directed page links and PyG keeps them directed; parsing is PyG's."""

from __future__ import annotations

from functools import partial

from graphkit.datasets.checksums import known_file
from graphkit.datasets.dataset_spec import DatasetSpec
from graphkit.datasets.load_context import LoadContext
from graphkit.datasets.loaded_dataset import NODE_CLASSIFICATION, LoadedDataset
from graphkit.datasets.planetoid import GEOM_GCN_URL, geom_gcn_split_paths, masks_to_splits


def _paths(name: str) -> list[str]:
    return [f"geom-gcn/new_data/{name}/out1_node_feature_label.txt",
            f"geom-gcn/new_data/{name}/out1_graph_edges.txt"] + geom_gcn_split_paths(name)


def _load(ctx: LoadContext, name: str) -> LoadedDataset:
    from torch_geometric.datasets import WikipediaNetwork

    # PyG reads <root>/<name>/geom_gcn/raw when geom_gcn_preprocess=True
    ctx.stage(_paths(name), ctx.work_dir / name / "geom_gcn" / "raw")
    data = WikipediaNetwork(str(ctx.work_dir), name, geom_gcn_preprocess=True)[0]
    splits = masks_to_splits(data.train_mask, data.val_mask, data.test_mask)
    del data.train_mask, data.val_mask, data.test_mask
    return LoadedDataset(
        name=ctx.spec.name, task=ctx.spec.task, metric=ctx.spec.metric, data=data, splits=splits,
        num_features=data.num_features, num_classes=int(data.y.max()) + 1,
    )


def _spec(name: str, nodes: int, edges: int, description: str) -> DatasetSpec:
    return DatasetSpec(
        name=name,
        task=NODE_CLASSIFICATION,
        metric="accuracy",
        source="WikipediaNetwork (Rozemberczki et al. 2021), Geom-GCN splits",
        citation="https://arxiv.org/abs/1909.13021",
        description=description,
        files=tuple(known_file(p, f"{GEOM_GCN_URL}/{p.split('/', 1)[1]}") for p in _paths(name)),
        loader=partial(_load, name=name),
        splits=("geom-gcn",),
        num_graphs=1,
        num_nodes=nodes,
        num_edges=edges,
        directed=True,
    )


SPECS = (
    _spec("chameleon", 2277, 36101, "Wikipedia chameleon pages, directed links, 5 traffic classes"),
    _spec("squirrel", 5201, 217073, "Wikipedia squirrel pages, directed links, 5 traffic classes"),
)
