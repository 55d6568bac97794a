"""OGB link-prediction datasets with OGB's edge splits.

ogbl-ddi (drug-drug interactions) is read from OGB's raw layout, checksum-verified. The
mirror lacks ``split/target/train.pt``; OGB's training edges are exactly the graph in
``raw/edge.csv.gz``, so the split is assembled from that file plus OGB's valid/test files.
Evaluate with ``ogb.linkproppred.Evaluator("ogbl-ddi")`` (Hits@20).

ogbl-collab, ogbl-ppa and ogbl-citation2 are for machines with internet: OGB's own
``PygLinkPropPredDataset`` downloads and processes them. OGB publishes no checksums for
these archives, so they are the registry's only unverified downloads; with a mirror
configured (which has none of them) loading fails with a clear message instead.
"""

from __future__ import annotations

from graphkit.datasets.checksums import known_file
from graphkit.datasets.dataset_spec import DatasetSpec
from graphkit.datasets.load_context import LoadContext
from graphkit.datasets.loaded_dataset import LINK_PREDICTION, LoadedDataset
from graphkit.errors import DatasetError

DDI_URL = "http://snap.stanford.edu/ogb/data/linkproppred/ddi.zip"
_DDI_FILES = ("RELEASE_v1.txt", "mapping/README.md", "mapping/nodeidx2drugid.csv.gz",
              "raw/edge.csv.gz", "raw/num-edge-list.csv.gz", "raw/num-node-list.csv.gz",
              "split/target/valid.pt", "split/target/test.pt")


def _load_ddi(ctx: LoadContext) -> LoadedDataset:
    import pandas as pd
    import torch
    from torch_geometric.data import Data
    from torch_geometric.utils import to_undirected

    from graphkit.datasets.numpy_pickle import load_numpy_torch_file

    def path(name: str) -> str:
        return f"ogb/ogbl_ddi/{name}"

    edges = torch.from_numpy(pd.read_csv(ctx.fetch(path("raw/edge.csv.gz")), header=None).to_numpy())
    num_nodes = int(pd.read_csv(ctx.fetch(path("raw/num-node-list.csv.gz")), header=None).iloc[0, 0])
    edge_split = {"train": {"edge": edges.long()}}  # [E, 2], each undirected edge once
    for split in ("valid", "test"):
        # OGB stores these as torch-pickled dicts of numpy arrays: read weights-only (numpy
        # arrays allowed, nothing else) from the very bytes whose sha256 was checked.
        name = path(f"split/target/{split}.pt")
        stored = load_numpy_torch_file(ctx.read_verified(name), name)
        edge_split[split] = {k: torch.as_tensor(v, dtype=torch.long) for k, v in stored.items()}
    data = Data(edge_index=to_undirected(edges.t().long(), num_nodes=num_nodes), num_nodes=num_nodes)
    return LoadedDataset(
        name=ctx.spec.name, task=ctx.spec.task, metric=ctx.spec.metric, data=data, splits=[],
        num_features=0, num_classes=1, extra={"edge_split": edge_split, "ogb_name": "ogbl-ddi"},
    )


def _load_ogb_download(ctx: LoadContext) -> LoadedDataset:
    import torch

    name = ctx.spec.name
    if ctx.mirror is not None:
        raise DatasetError(
            f"{name} is not in the mirror {ctx.mirror}; it needs internet (unset GRAPHKIT_MIRROR "
            f"and data.mirror to let OGB download it)"
        )
    from ogb.linkproppred import PygLinkPropPredDataset

    try:
        ogb = PygLinkPropPredDataset(name=name, root=str(ctx.work_dir))
    except Exception as e:  # urllib/zip errors from OGB's downloader, offline machines
        raise DatasetError(f"{name}: OGB download or processing failed: {e}") from None
    data = ogb[0]
    split = {k: {kk: torch.as_tensor(vv) for kk, vv in v.items()} for k, v in ogb.get_edge_split().items()}
    num_features = int(data.x.size(1)) if getattr(data, "x", None) is not None else 0
    extra = {"edge_split": split, "ogb_name": name}
    if name == "ogbl-collab":
        # OGB's rule for collab: validation edges may be used as input at test time.
        extra["valid_edges_as_input"] = True
    return LoadedDataset(
        name=name, task=ctx.spec.task, metric=ctx.spec.metric, data=data, splits=[],
        num_features=num_features, num_classes=1, extra=extra,
    )


def _download_spec(name: str, metric: str, source: str, description: str, nodes: int, edges: int) -> DatasetSpec:
    return DatasetSpec(
        name=name, task=LINK_PREDICTION, metric=metric, source=source,
        citation="https://arxiv.org/abs/2005.00687", description=description, files=(),
        loader=_load_ogb_download, splits=("official",), num_graphs=1, num_nodes=nodes,
        num_edges=edges,
    )


SPECS = (
    DatasetSpec(
        name="ogbl-ddi",
        task=LINK_PREDICTION,
        metric="hits@20",
        source="OGB (DrugBank), protein-target split",
        citation="https://arxiv.org/abs/2005.00687",
        description="4,267 drugs, 1.07M interactions, no node features",
        files=tuple(known_file(f"ogb/ogbl_ddi/{name}", DDI_URL, member=f"ddi/{name}")
                    for name in _DDI_FILES),
        loader=_load_ddi,
        splits=("target",),
        num_graphs=1,
        num_nodes=4267,
        num_edges=2135822,
    ),
    _download_spec("ogbl-collab", "hits@50", "OGB (Microsoft Academic Graph), time split; needs internet",
                   "235,868 authors, 128-d features, 1.29M collaborations", 235868, 2570930),
    _download_spec("ogbl-ppa", "hits@100", "OGB (STRING protein associations), throughput split; needs internet",
                   "576,289 proteins, 30.3M associations", 576289, 60652546),
    _download_spec("ogbl-citation2", "mrr", "OGB (Microsoft Academic Graph citations), time split; needs internet",
                   "2.93M papers, 30.6M citations, 128-d features", 2927963, 30561187),
)
