"""Node datasets of the graph contrastive learning benchmarks (GRACE, GCA, POT) without a
canonical split: Amazon Computers (Shchur et al.'s gnn-benchmark ``.npz``, read by PyG's
``Amazon``) and attributed BlogCatalog (the raw files PyG's ``AttributedGraphDataset``
extracts from its archive). The linear probe of ``task.name: grace`` / ``gca`` draws its
random 10/10/80 splits itself (``task.probe_split: random``)."""

from __future__ import annotations

from graphkit.datasets.checksums import known_file
from graphkit.datasets.dataset_spec import DatasetSpec
from graphkit.datasets.load_context import LoadContext
from graphkit.datasets.loaded_dataset import NODE_CLASSIFICATION, LoadedDataset

AMAZON_COMPUTERS = "gnn_benchmark/amazon_electronics_computers.npz"
BLOGCATALOG_ATTR = tuple(f"attributed_blogcatalog/raw/{name}" for name in ("attrs.npz", "edgelist.txt", "labels.txt"))
# PyG AttributedGraphDataset's Google Drive archive of BlogCatalog (its ``datasets['blogcatalog']`` id)
BLOGCATALOG_ZIP = "https://drive.usercontent.google.com/download?id=178PqGqh67RUYMMP6-SoRHDoIBh8ku5FS&confirm=t"


def _loaded(ctx: LoadContext, data) -> LoadedDataset:
    return LoadedDataset(
        name=ctx.spec.name, task=ctx.spec.task, metric=ctx.spec.metric, data=data, splits=[],
        num_features=data.num_features, num_classes=int(data.y.max()) + 1,
    )


def _load_amazon_computers(ctx: LoadContext) -> LoadedDataset:
    from torch_geometric.datasets import Amazon

    ctx.stage([AMAZON_COMPUTERS], ctx.work_dir / "Computers" / "raw")
    return _loaded(ctx, Amazon(str(ctx.work_dir), "Computers")[0])


def _load_blogcatalog_attr(ctx: LoadContext) -> LoadedDataset:
    from torch_geometric.datasets import AttributedGraphDataset

    ctx.stage(list(BLOGCATALOG_ATTR), ctx.work_dir / "blogcatalog" / "raw")
    return _loaded(ctx, AttributedGraphDataset(str(ctx.work_dir), "BlogCatalog")[0])


SPECS = (
    DatasetSpec(
        name="amazon_computers",
        task=NODE_CLASSIFICATION,
        metric="accuracy",
        source="Amazon co-purchase (Shchur et al. 2018, gnn-benchmark), PyG Amazon('Computers')",
        citation="https://arxiv.org/abs/1811.05868",
        description="Amazon computers co-purchase graph, bag-of-words reviews, 10 product classes",
        files=(known_file(AMAZON_COMPUTERS, "https://github.com/shchur/gnn-benchmark/raw/"
                                            "master/data/npz/amazon_electronics_computers.npz"),),
        loader=_load_amazon_computers,
        splits=("none",),
        num_graphs=1,
        num_nodes=13752,
        num_edges=491722,
    ),
    DatasetSpec(
        name="blogcatalog_attr",
        task=NODE_CLASSIFICATION,
        metric="accuracy",
        source="attributed BlogCatalog (Meng et al. 2019), PyG AttributedGraphDataset('BlogCatalog')",
        citation="https://arxiv.org/abs/1906.04543",
        description="blogger network with 8,189 keyword attributes, 6 classes (POT's BlogCatalog)",
        files=tuple(known_file(p, BLOGCATALOG_ZIP, member=f"blogcatalog.attr/{p.rsplit('/', 1)[1]}")
                    for p in BLOGCATALOG_ATTR),
        loader=_load_blogcatalog_attr,
        splits=("none",),
        num_graphs=1,
        num_nodes=5196,
        num_edges=343486,
    ),
)
