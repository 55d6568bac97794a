import gzip
import pickle

import numpy as np
import torch

from graphkit.config import DataConfig
from graphkit.datasets import load_dataset
from graphkit.datasets.lrgb import CSV_PATH, SPLIT_PATH
from tests.datasets.helpers import registry_with_files

CSV = """,smiles,peptide_seq,labels,identifier
0,CC(N)C(=O)O,A,"[1, 0, 0, 0, 0, 0, 0, 0, 0, 1]",a
1,NCC(=O)O,G,"[0, 1, 0, 0, 0, 0, 0, 0, 0, 0]",b
2,CC(C)C(N)C(=O)O,V,"[0, 0, 1, 1, 0, 0, 0, 0, 0, 0]",c
"""


def test_peptides_func_loader_parses_labels_and_split(tmp_path):
    split = {"train": np.array([0, 2]), "val": np.array([1]), "test": np.array([], dtype=int)}
    registry = registry_with_files("peptides-func", tmp_path / "m", {
        CSV_PATH: gzip.compress(CSV.encode()), SPLIT_PATH: pickle.dumps(split)})
    ds = load_dataset(DataConfig(name="peptides-func", root=str(tmp_path / "r"),
                                 mirror=str(tmp_path / "m")), registry)
    assert ds.task == "graph_multilabel" and ds.metric == "ap" and ds.num_classes == 10
    assert ds.node_encoder == "ogb_atom" and ds.edge_encoder == "ogb_bond"
    assert ds.graphs[2].y.tolist() == [[0, 0, 1, 1, 0, 0, 0, 0, 0, 0]]
    assert ds.graphs[0].x.shape == (6, 9)  # alanine: 6 heavy atoms
    assert ds.splits[0]["train"].tolist() == [0, 2] and ds.splits[0]["valid"].tolist() == [1]
    assert ds.splits[0]["test"].dtype == torch.long
