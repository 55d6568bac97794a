"""Directed citation graphs in the graph2gauss / gnn-benchmark ``.npz`` format (Bojchevski &
Günnemann, https://arxiv.org/abs/1707.03815): ``cora_ml`` (the file of PyG's
``CitationFull('Cora_ML')``) and ``citeseer_dir`` (gnn-benchmark's 3,312-node CiteSeer, the
file PyG Signed Directed, DiGCN and ADPA read as "citeseer"; not ``CitationFull('CiteSeer')``,
which is graph2gauss's 4,230-node graph), with ADPA's / DiGCN's split protocol: 20 training
nodes per class, 500 validation nodes, the rest test, ten seeded draws.

The raw adjacency is directed (a citing paper points at the cited one); ``CitationFull``
symmetrizes it (and drops self-loops), so an unset ``data.directed`` does too and
``data.directed: true`` keeps it.
Only the numeric arrays are read (``allow_pickle=False``); the pickled id maps are ignored.
"""

from __future__ import annotations

import io
from functools import partial

from graphkit.datasets.checksums import known_file
from graphkit.datasets.dataset_spec import DatasetSpec
from graphkit.datasets.load_context import LoadContext
from graphkit.datasets.loaded_dataset import NODE_CLASSIFICATION, LoadedDataset
from graphkit.errors import DatasetError

URLS = {
    "cora_ml": "https://github.com/abojchevski/graph2gauss/raw/master/data/cora_ml.npz",
    "citeseer": "https://github.com/shchur/gnn-benchmark/raw/master/data/npz/citeseer.npz",
}
NUM_SPLITS = 10


def per_class_splits(y, per_class: int = 20, num_valid: int = 500, num_splits: int = NUM_SPLITS) -> list[dict]:
    """``num_splits`` draws (split ``i`` seeded ``i``) of ``per_class`` training nodes per
    class, ``num_valid`` validation nodes from the rest, all others test."""
    import torch

    splits = []
    for seed in range(num_splits):
        gen = torch.Generator().manual_seed(seed)
        perm = torch.randperm(y.numel(), generator=gen)
        train = torch.cat([perm[y[perm] == c][:per_class] for c in range(int(y.max()) + 1)])
        rest = perm[~torch.isin(perm, train)]
        splits.append({"train": train.sort().values, "valid": rest[:num_valid].sort().values,
                       "test": rest[num_valid:].sort().values})
    return splits


def read_citation_npz(payload: bytes, name: str):
    """Directed ``edge_index``, dense features and labels from a graph2gauss ``.npz``."""
    import scipy.sparse as sp
    import numpy as np
    import torch
    from torch_geometric.data import Data

    with np.load(io.BytesIO(payload), allow_pickle=False) as npz:
        try:
            adj = sp.csr_matrix((npz["adj_data"], npz["adj_indices"], npz["adj_indptr"]), shape=tuple(npz["adj_shape"]))
            attr = sp.csr_matrix((npz["attr_data"], npz["attr_indices"], npz["attr_indptr"]),
                                 shape=tuple(npz["attr_shape"]))
            labels = npz["labels"]
        except KeyError as e:
            raise DatasetError(f"{name}: not a graph2gauss .npz (missing {e})") from None
    adj = adj.tocoo()
    edge_index = torch.from_numpy(np.vstack([adj.row, adj.col])).long()
    # duplicates collapse and self-loops go, as in PyG's read_npz
    edge_index = edge_index[:, edge_index[0] != edge_index[1]]
    edge_index = torch.unique(edge_index, dim=1)
    x = torch.from_numpy(attr.toarray()).float()
    x[x > 0] = 1.0  # binary bag of words, as CitationFull
    y = torch.from_numpy(labels.astype(np.int64))
    return Data(x=x, edge_index=edge_index, y=y, num_nodes=x.size(0))


def _load(ctx: LoadContext, path: str) -> LoadedDataset:
    data = read_citation_npz(ctx.read_verified(path), ctx.spec.name)
    return LoadedDataset(name=ctx.spec.name, task=ctx.spec.task, metric=ctx.spec.metric, data=data,
                         splits=per_class_splits(data.y), num_features=data.num_features,
                         num_classes=int(data.y.max()) + 1)


def _spec(name: str, file: str, nodes: int, edges: int, description: str) -> DatasetSpec:
    path = f"directed_citation/{file}.npz"
    return DatasetSpec(
        name=name,
        task=NODE_CLASSIFICATION,
        metric="accuracy",
        source="graph2gauss / gnn-benchmark (Bojchevski & Günnemann 2018)",
        citation="https://arxiv.org/abs/1707.03815",
        description=description,
        files=(known_file(path, URLS[file]),),
        loader=partial(_load, path=path),
        splits=("per-class-20",),
        num_graphs=1,
        num_nodes=nodes,
        num_edges=edges,
        directed=True,
        keep_direction=False,
    )


SPECS = (
    _spec("cora_ml", "cora_ml", 2995, 16316, "Cora-ML paper citations (directed raw), bag of words, 7 classes"),
    _spec("citeseer_dir", "citeseer", 3312, 9072, "CiteSeer paper citations (directed raw), bag of words, 6 classes"),
)
