"""ZINC-12k (the benchmarking-gnns subset, `Dwivedi et al. <https://arxiv.org/abs/2003.00982>`_):
constrained-solubility regression, graphs rebuilt from SMILES with RDKit.

Atom types follow benchmarking-gnns' 28-entry dictionary and bonds are kekulized
(single / double / triple), so ``x`` and ``edge_attr`` match PyG's ``ZINC(subset=True)``
layout. The target is the ``score`` column (penalized logP). The split is the
10,000 / 1,000 / 1,000 partition of ``indexes_train_val_test.csv``.
"""

from __future__ import annotations

from graphkit.datasets.checksums import known_file
from graphkit.datasets.dataset_spec import DatasetSpec
from graphkit.datasets.load_context import LoadContext
from graphkit.datasets.loaded_dataset import GRAPH_REGRESSION, LoadedDataset

_GRAPHIUM = ("https://raw.githubusercontent.com/datamol-io/graphium/"
             "2573628b14751178679cd4606a1523486585d873/ZINC_bench_gnn")
SMILES_PATH = "zinc12k/smiles_score.csv"
SPLIT_PATH = "zinc12k/indexes_train_val_test.csv"


def _load(ctx: LoadContext) -> LoadedDataset:
    import pandas as pd
    import torch

    from graphkit.datasets.molecules import NUM_ZINC_BOND_TYPES, ZINC_ATOM_TYPES, graphs_from_smiles, zinc_graph_arrays

    table = pd.read_csv(ctx.fetch(SMILES_PATH))
    index = pd.read_csv(ctx.fetch(SPLIT_PATH))
    graphs = graphs_from_smiles(table["SMILES"].tolist(), zinc_graph_arrays, "zinc")
    for graph, score in zip(graphs, table["score"].tolist()):
        graph.y = torch.tensor([score], dtype=torch.float)
    split = {ours: torch.tensor(index[theirs].dropna().astype(int).to_numpy())
             for ours, theirs in (("train", "train"), ("valid", "val"), ("test", "test"))}
    return LoadedDataset(
        name=ctx.spec.name, task=ctx.spec.task, metric=ctx.spec.metric, graphs=graphs,
        splits=[split], num_features=1, num_classes=1,
        node_encoder="embedding", num_node_types=len(ZINC_ATOM_TYPES),
        edge_encoder="embedding", num_edge_types=NUM_ZINC_BOND_TYPES,
    )


SPECS = (
    DatasetSpec(
        name="zinc",
        task=GRAPH_REGRESSION,
        metric="mae",
        source="ZINC subset (benchmarking-gnns), SMILES via graphium",
        citation="https://arxiv.org/abs/2003.00982",
        description="12k molecules, penalized logP regression, 28 atom / 3 bond types",
        files=(known_file(SMILES_PATH, f"{_GRAPHIUM}/smiles_score.csv"),
               known_file(SPLIT_PATH, f"{_GRAPHIUM}/indexes_train_val_test.csv")),
        loader=_load,
        splits=("benchmarking-gnns",),
        num_graphs=12000,
        num_nodes=278120,
        num_edges=598228,
    ),
)
