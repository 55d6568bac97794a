"""Platonov et al.'s heterophilous graphs ("A critical look at the evaluation of GNNs under
heterophily", ICLR 2023, https://arxiv.org/abs/2302.11640) with their ten 50/25/25 splits:
the five of PyG's ``HeterophilousGraphDataset`` (roman-empire, amazon-ratings,
minesweeper, tolokers, questions) and their Wikipedia chameleon / squirrel variants
(plain, ``-directed``, ``-filtered``, ``-filtered-directed``: the files ADPA's loader reads).

Each ``.npz`` holds ``node_features``, ``node_labels``, ``edges [E, 2]`` and
``{train,val,test}_masks [10, N]``. The raw edge list is kept as stored (ordered pairs)
in the cache; PyG's class symmetrizes it, so an unset ``data.directed`` symmetrizes the
five and the plain / filtered Wikipedia files, and keeps the ``-directed`` files directed.
"""

from __future__ import annotations

import io
from functools import partial

from graphkit.datasets.checksums import SHA256, known_file
from graphkit.datasets.dataset_spec import DatasetSpec
from graphkit.datasets.load_context import LoadContext
from graphkit.datasets.loaded_dataset import NODE_CLASSIFICATION, LoadedDataset
from graphkit.datasets.trust import fetch_trusted
from graphkit.errors import DatasetError

URL = "https://github.com/yandex-research/heterophilous-graphs/raw/main/data"
_KEYS = ("node_features", "node_labels", "edges", "train_masks", "val_masks", "test_masks")


def read_heterophilous_npz(payload: bytes, name: str) -> LoadedDataset:
    """Parses one Platonov-format ``.npz`` (no pickled objects) into a dataset with its
    ten splits; edges stay as stored."""
    import numpy as np
    import torch
    from torch_geometric.data import Data

    with np.load(io.BytesIO(payload), allow_pickle=False) as npz:
        missing = [k for k in _KEYS if k not in npz.files]
        if missing:
            raise DatasetError(f"{name}: not a heterophilous-graphs .npz (missing {', '.join(missing)})")
        x = torch.from_numpy(npz["node_features"]).float()
        y = torch.from_numpy(npz["node_labels"]).long()
        edge_index = torch.from_numpy(npz["edges"]).long().t().contiguous()  # [2, E], as stored
        masks = [torch.from_numpy(npz[k]) for k in ("train_masks", "val_masks", "test_masks")]
    splits = [{"train": masks[0][i].nonzero().view(-1), "valid": masks[1][i].nonzero().view(-1),
               "test": masks[2][i].nonzero().view(-1)} for i in range(masks[0].size(0))]
    data = Data(x=x, edge_index=edge_index, y=y, num_nodes=x.size(0))
    return LoadedDataset(name=name, task=NODE_CLASSIFICATION, metric="", data=data, splits=splits,
                         num_features=x.size(1), num_classes=int(y.max()) + 1)


def _load(ctx: LoadContext, path: str) -> LoadedDataset:
    if ctx.spec.integrity == "pinned":
        payload = ctx.read_verified(path)
    else:
        payload = fetch_trusted(path, f"{URL}/{path.split('/', 1)[1]}", ctx.raw_dir.parent, ctx.mirror).read_bytes()
    dataset = read_heterophilous_npz(payload, ctx.spec.name)
    dataset.metric = ctx.spec.metric
    return dataset


def _spec(name: str, file: str, metric: str, nodes: int, edges: int, description: str,
          keep_direction: bool = False) -> DatasetSpec:
    path = f"heterophilous/{file}.npz"
    pinned = path in SHA256
    return DatasetSpec(
        name=name,
        task=NODE_CLASSIFICATION,
        metric=metric,
        source="heterophilous-graphs (Platonov et al. 2023)",
        citation="https://arxiv.org/abs/2302.11640",
        description=description,
        files=(known_file(path, f"{URL}/{file}.npz"),) if pinned else (),
        loader=partial(_load, path=path),
        splits=("platonov",),
        num_graphs=1,
        num_nodes=nodes,
        num_edges=edges,
        integrity="pinned" if pinned else "trust-on-first-use",
        directed=True,
        keep_direction=keep_direction,
    )


SPECS = (
    _spec("roman-empire", "roman_empire", "accuracy", 22662, 65854,
          "words of the Roman Empire Wikipedia article, edges: adjacency or syntactic dependency, 18 classes"),
    _spec("amazon-ratings", "amazon_ratings", "accuracy", 24492, 186100,
          "Amazon co-purchased products, rating classes, 5 classes"),
    _spec("minesweeper", "minesweeper", "rocauc", 10000, 78804,
          "100x100 Minesweeper grid, is a cell a mine, 2 classes"),
    _spec("tolokers", "tolokers", "rocauc", 11758, 1038000,
          "Toloka workers who worked on the same task, banned or not, 2 classes"),
    _spec("questions", "questions", "rocauc", 48921, 307080,
          "Yandex Q users who answered each other, active or not, 2 classes"),
    _spec("chameleon-platonov", "chameleon", "accuracy", 2277, 62742,
          "Wikipedia chameleon pages, undirected links, 5 traffic classes (Platonov's file)"),
    _spec("chameleon-directed", "chameleon_directed", "accuracy", 2277, 36101,
          "Wikipedia chameleon pages, directed links, 5 traffic classes", keep_direction=True),
    _spec("chameleon-filtered", "chameleon_filtered", "accuracy", 890, 17708,
          "chameleon without duplicated pages, undirected links, 5 classes"),
    _spec("chameleon-filtered-directed", "chameleon_filtered_directed", "accuracy", 890, 13584,
          "chameleon without duplicated pages, directed links, 5 classes", keep_direction=True),
    _spec("squirrel-platonov", "squirrel", "accuracy", 5201, 396706,
          "Wikipedia squirrel pages, undirected links, 5 traffic classes (Platonov's file)"),
    _spec("squirrel-directed", "squirrel_directed", "accuracy", 5201, 217073,
          "Wikipedia squirrel pages, directed links, 5 traffic classes", keep_direction=True),
    _spec("squirrel-filtered", "squirrel_filtered", "accuracy", 2223, 93996,
          "squirrel without duplicated pages, undirected links, 5 classes"),
    _spec("squirrel-filtered-directed", "squirrel_filtered_directed", "accuracy", 2223, 65718,
          "squirrel without duplicated pages, directed links, 5 classes", keep_direction=True),
)
