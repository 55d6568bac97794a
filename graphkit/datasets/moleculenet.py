"""ogbg-molhiv rebuilt from MoleculeNet's HIV.csv (the file OGB made it from): OGB atom / bond
features and OGB's deterministic scaffold split (80/10/10)."""

from __future__ import annotations

from graphkit.datasets.checksums import known_file
from graphkit.datasets.dataset_spec import DatasetSpec
from graphkit.datasets.load_context import LoadContext
from graphkit.datasets.loaded_dataset import GRAPH_MULTILABEL, LoadedDataset

HIV_PATH = "moleculenet/HIV.csv"


def _load(ctx: LoadContext) -> LoadedDataset:
    import pandas as pd
    import torch

    from graphkit.datasets.molecules import graphs_from_smiles, ogb_graph_arrays
    from graphkit.datasets.splits import scaffold_split

    table = pd.read_csv(ctx.fetch(HIV_PATH))
    smiles = table["smiles"].tolist()
    graphs = graphs_from_smiles(smiles, ogb_graph_arrays, "molhiv")
    for graph, label in zip(graphs, table["HIV_active"].tolist()):
        graph.y = torch.tensor([[label]], dtype=torch.float)  # [1, 1]: one binary task
    return LoadedDataset(
        name=ctx.spec.name, task=ctx.spec.task, metric=ctx.spec.metric, graphs=graphs,
        splits=[scaffold_split(smiles)], num_features=9, num_classes=1,
        node_encoder="ogb_atom", edge_encoder="ogb_bond", num_edge_features=3,
        extra={"ogb_name": "ogbg-molhiv"},
    )


SPECS = (
    DatasetSpec(
        name="molhiv",
        task=GRAPH_MULTILABEL,
        metric="rocauc",
        source="MoleculeNet HIV -> ogbg-molhiv (OGB features, scaffold split)",
        citation="https://arxiv.org/abs/2005.00687",
        description="41k molecules, inhibits HIV replication (binary), scaffold split",
        files=(known_file(HIV_PATH, "https://deepchemdata.s3-us-west-1.amazonaws.com/datasets/HIV.csv"),),
        loader=_load,
        splits=("scaffold",),
        num_graphs=41127,
        num_nodes=1049163,
        num_edges=2259376,
    ),
)
