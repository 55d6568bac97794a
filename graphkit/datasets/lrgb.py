"""LRGB Peptides-func (`Dwivedi et al. 2022 <https://arxiv.org/abs/2206.08164>`_): peptides as
molecular graphs with OGB features, 10 binary function labels, the LRGB stratified split."""

from __future__ import annotations

import ast

from graphkit.datasets.checksums import known_file
from graphkit.datasets.dataset_spec import DatasetSpec
from graphkit.datasets.load_context import LoadContext
from graphkit.datasets.loaded_dataset import GRAPH_MULTILABEL, LoadedDataset

CSV_PATH = "lrgb/peptides-functional/peptide_multi_class_dataset.csv.gz"
SPLIT_PATH = "lrgb/peptides-functional/splits_random_stratified_peptide.pickle"


def _load(ctx: LoadContext) -> LoadedDataset:
    import pandas as pd
    import torch

    from graphkit.datasets.molecules import graphs_from_smiles, ogb_graph_arrays
    from graphkit.datasets.numpy_pickle import load_numpy_pickle

    table = pd.read_csv(ctx.fetch(CSV_PATH))
    # The published split exists only as a pickle of numpy index arrays: it is unpickled
    # from the very bytes whose sha256 was checked, by a reader that resolves numpy's
    # array globals only (it refuses any other callable).
    split = load_numpy_pickle(ctx.read_verified(SPLIT_PATH), SPLIT_PATH)
    graphs = graphs_from_smiles(table["smiles"].tolist(), ogb_graph_arrays, "peptides-func")
    for graph, labels in zip(graphs, table["labels"].tolist()):
        graph.y = torch.tensor([ast.literal_eval(labels)], dtype=torch.float)  # [1, 10]
    splits = [{ours: torch.as_tensor(split[theirs], dtype=torch.long)
               for ours, theirs in (("train", "train"), ("valid", "val"), ("test", "test"))}]
    return LoadedDataset(
        name=ctx.spec.name, task=ctx.spec.task, metric=ctx.spec.metric, graphs=graphs,
        splits=splits, num_features=9, num_classes=graphs[0].y.size(1),
        node_encoder="ogb_atom", edge_encoder="ogb_bond", num_edge_features=3,
    )


SPECS = (
    DatasetSpec(
        name="peptides-func",
        task=GRAPH_MULTILABEL,
        metric="ap",
        source="LRGB (Dwivedi et al. 2022)",
        citation="https://arxiv.org/abs/2206.08164",
        description="15.5k peptides, 10 functional classes (multi-label), long-range",
        files=(
            known_file(CSV_PATH, "https://www.dropbox.com/s/ol2v01usvaxbsr8/"
                                 "peptide_multi_class_dataset.csv.gz?dl=1"),
            known_file(SPLIT_PATH, "https://www.dropbox.com/s/j4zcnx2eipuo0xz/"
                                   "splits_random_stratified_peptide.pickle?dl=1"),
        ),
        loader=_load,
        splits=("lrgb",),
        num_graphs=15535,
        num_nodes=2344859,
        num_edges=4773974,
    ),
)
