import csv
import io

import pytest
import torch

from graphkit.config import DataConfig
from graphkit.datasets import load_dataset
from graphkit.datasets.moleculenet import HIV_PATH
from graphkit.datasets.splits import scaffold_split
from tests.datasets.helpers import registry_with_files


def _hiv_rows(mirror, count):
    with open(mirror / HIV_PATH) as f:
        return list(csv.DictReader(f))[:count]


@pytest.mark.slow
def test_molhiv_loader_on_a_subset(mirror, tmp_path):
    rows = _hiv_rows(mirror, 600)
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=["smiles", "activity", "HIV_active"])
    writer.writeheader()
    writer.writerows(rows)
    registry = registry_with_files("molhiv", tmp_path / "m", {HIV_PATH: text.getvalue().encode()})
    ds = load_dataset(DataConfig(name="molhiv", root=str(tmp_path / "r"), mirror=str(tmp_path / "m")),
                      registry)
    assert ds.task == "graph_multilabel" and ds.num_classes == 1 and ds.metric == "rocauc"
    assert ds.node_encoder == "ogb_atom" and ds.edge_encoder == "ogb_bond"
    assert len(ds.graphs) == 600 and ds.graphs[0].y.shape == (1, 1)
    labels = torch.cat([g.y for g in ds.graphs]).view(-1)
    assert labels.tolist() == [float(r["HIV_active"]) for r in rows]
    split = ds.splits[0]
    assert sorted(torch.cat(list(split.values())).tolist()) == list(range(600))
    assert [len(split[k]) for k in ("train", "valid", "test")] == [480, 60, 60]


@pytest.mark.slow
def test_molhiv_scaffold_split_reproduces_ogb_sizes(mirror):
    smiles = [r["smiles"] for r in _hiv_rows(mirror, None)]
    split = scaffold_split(smiles)
    # ogbg-molhiv's published split sizes.
    assert [len(split[k]) for k in ("train", "valid", "test")] == [32901, 4113, 4113]
