"""ogbl-ddi (drug-drug interactions) from OGB's raw layout, with OGB's edge split.

The mirror lacks ``split/target/train.pt``; OGB's training edges are exactly the graph in
``raw/edge.csv.gz``, so the split is assembled from that file plus OGB's valid/test files.
Evaluate with ``ogb.linkproppred.Evaluator("ogbl-ddi")`` (Hits@20).
"""

from __future__ import annotations

import pandas as pd
import torch
from torch_geometric.data import Data
from torch_geometric.utils import to_undirected

from graphkit.datasets.checksums import known_file
from graphkit.datasets.dataset_spec import DatasetSpec
from graphkit.datasets.load_context import LoadContext
from graphkit.datasets.loaded_dataset import LINK_PREDICTION, LoadedDataset

DDI_URL = "http://snap.stanford.edu/ogb/data/linkproppred/ddi.zip"
_DDI_FILES = ("RELEASE_v1.txt", "mapping/README.md", "mapping/nodeidx2drugid.csv.gz",
              "raw/edge.csv.gz", "raw/num-edge-list.csv.gz", "raw/num-node-list.csv.gz",
              "split/target/valid.pt", "split/target/test.pt")


def _load_ddi(ctx: LoadContext) -> LoadedDataset:
    def path(name: str) -> str:
        return f"ogb/ogbl_ddi/{name}"

    edges = torch.from_numpy(pd.read_csv(ctx.fetch(path("raw/edge.csv.gz")), header=None).to_numpy())
    num_nodes = int(pd.read_csv(ctx.fetch(path("raw/num-node-list.csv.gz")), header=None).iloc[0, 0])
    edge_split = {"train": {"edge": edges.long()}}  # [E, 2], each undirected edge once
    for split in ("valid", "test"):
        # OGB stores these as pickled dicts of numpy arrays (checksum-verified above).
        stored = torch.load(ctx.fetch(path(f"split/target/{split}.pt")), weights_only=False)
        edge_split[split] = {k: torch.as_tensor(v, dtype=torch.long) for k, v in stored.items()}
    data = Data(edge_index=to_undirected(edges.t().long(), num_nodes=num_nodes), num_nodes=num_nodes)
    return LoadedDataset(
        name=ctx.spec.name, task=ctx.spec.task, metric=ctx.spec.metric, data=data, splits=[],
        num_features=0, num_classes=1, extra={"edge_split": edge_split, "ogb_name": "ogbl-ddi"},
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
)
