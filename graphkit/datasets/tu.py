"""TU graph-classification benchmarks (`Morris et al. 2020 <https://arxiv.org/abs/2007.08663>`_)
with 10-fold stratified cross-validation. Parsing is PyG's ``TUDataset``.

Features: node *labels* one-hot (PyG's default ``use_node_attr=False``, as in GIN and PyG's
kernel benchmark); edge labels / attributes, where a dataset has them, become
``edge_attr``. Datasets without node labels (IMDB-BINARY, IMDB-MULTI) get a one-hot of
the node degree, up to the largest degree in the dataset (PyG's kernel benchmark
``OneHotDegree`` choice, also GIN's for social graphs).

Split ``cv10``: see :func:`graphkit.datasets.splits.stratified_kfold_splits`. Split
``ehgnn_folds`` (MUTAG, PROTEINS, IMDB-BINARY, IMDB-MULTI): the EHGNN / GIN reference code's
10 folds, read from their index files (:mod:`graphkit.datasets.fold_files`).
"""

from __future__ import annotations

import zipfile
from functools import partial
from pathlib import PurePosixPath

from graphkit.datasets.checksums import known_file
from graphkit.datasets.dataset_spec import DatasetSpec
from graphkit.datasets.fold_files import EHGNN_FOLDS, fold_files, read_fold_splits
from graphkit.datasets.load_context import LoadContext
from graphkit.datasets.loaded_dataset import GRAPH_CLASSIFICATION, LoadedDataset

TU_URL = "https://www.chrsmrrs.com/graphkerneldatasets"


def one_hot_degree(graphs: list, max_degree: int | None = None) -> list:
    """Sets ``x`` to the one-hot (out-)degree ``[N, max_degree + 1]``, degrees above
    ``max_degree`` clipped to it; ``max_degree`` defaults to the largest in ``graphs``."""
    import torch
    import torch.nn.functional as F
    from torch_geometric.utils import degree

    degrees = [degree(g.edge_index[0], g.num_nodes, dtype=torch.long) for g in graphs]
    if max_degree is None:
        max_degree = max(int(d.max()) if d.numel() else 0 for d in degrees)
    for g, d in zip(graphs, degrees):
        g.x = F.one_hot(d.clamp(max=max_degree), max_degree + 1).float()
    return graphs


def _load(ctx: LoadContext, tu_name: str) -> LoadedDataset:
    import torch
    from torch_geometric.datasets import TUDataset

    from graphkit.datasets.splits import stratified_kfold_splits

    raw_dir = ctx.work_dir / tu_name / "raw"
    raw_dir.mkdir(parents=True)
    # The zip holds <NAME>/<NAME>_*.txt; PyG wants those files directly in <root>/<NAME>/raw.
    with zipfile.ZipFile(ctx.fetch(f"tu/{tu_name}.zip")) as zf:
        for member in zf.namelist():
            if not member.endswith("/"):
                (raw_dir / PurePosixPath(member).name).write_bytes(zf.read(member))
    dataset = TUDataset(str(ctx.work_dir), tu_name, use_edge_attr=True)
    graphs = [dataset[i] for i in range(len(dataset))]
    if dataset.num_node_features == 0:
        graphs = one_hot_degree(graphs)
    labels = torch.cat([g.y for g in graphs])
    edge_features = graphs[0].edge_attr.size(1) if graphs[0].edge_attr is not None else 0
    return LoadedDataset(
        name=ctx.spec.name, task=ctx.spec.task, metric=ctx.spec.metric, graphs=graphs,
        splits=(read_fold_splits(lambda f: ctx.fetch(f.path), tu_name, len(graphs)) if ctx.split == EHGNN_FOLDS
                else stratified_kfold_splits(labels.tolist())),
        num_features=graphs[0].x.size(1), num_classes=int(labels.max()) + 1,
        edge_encoder="linear" if edge_features else None, num_edge_features=edge_features,
    )


def _spec(tu_name: str, graphs: int, nodes: int, edges: int, description: str) -> DatasetSpec:
    return DatasetSpec(
        name=tu_name.lower(),
        task=GRAPH_CLASSIFICATION,
        metric="accuracy",
        source="TUDataset",
        citation="https://arxiv.org/abs/2007.08663",
        description=description,
        files=(known_file(f"tu/{tu_name}.zip", f"{TU_URL}/{tu_name}.zip"), *fold_files(tu_name)),
        loader=partial(_load, tu_name=tu_name),
        splits=("cv10", EHGNN_FOLDS) if fold_files(tu_name) else ("cv10",),
        num_graphs=graphs,
        num_nodes=nodes,
        num_edges=edges,
    )


SPECS = (
    _spec("MUTAG", 188, 3371, 7442, "mutagenic aromatic nitro compounds, 2 classes"),
    _spec("PROTEINS", 1113, 43471, 162088, "enzymes vs non-enzymes (secondary structure), 2 classes"),
    _spec("ENZYMES", 600, 19580, 74564, "protein tertiary structures, 6 EC classes"),
    _spec("IMDB-BINARY", 1000, 19773, 193062, "actor ego-networks, action vs romance, no node features"),
    _spec("IMDB-MULTI", 1500, 19502, 197806, "actor ego-networks, 3 genres, no node features"),
    _spec("NCI1", 4110, 122747, 265506, "chemical compounds screened against lung cancer, 2 classes"),
    _spec("PTC_MR", 344, 4915, 10108, "carcinogenicity in male rats, 2 classes"),
    _spec("AIDS", 2000, 31385, 64780, "compounds active / inactive against HIV, 2 classes"),
    _spec("COX2", 467, 19252, 40578, "cyclooxygenase-2 inhibitors, 2 classes"),
    _spec("BZR", 405, 14479, 31070, "benzodiazepine receptor ligands, 2 classes"),
    _spec("DHFR", 756, 32075, 67352, "dihydrofolate reductase inhibitors, 2 classes"),
)
