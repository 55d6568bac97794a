"""Each new directed dataset loaded both ways against its raw file's edge counts: a
directed graph never silently becomes undirected."""

import io
import shutil

import numpy as np
import pytest
import scipy.sparse as sp
import torch

from graphkit.amud import edge_direction_counts
from graphkit.config import DataConfig
from graphkit.datasets import load_dataset


def _raw_pairs(mirror, name):
    """Distinct ordered pairs u != v and distinct unordered pairs of the raw file."""
    if name in ("cora_ml", "citeseer_dir"):
        with np.load(mirror / f"directed_citation/{'citeseer' if name == 'citeseer_dir' else name}.npz") as z:
            adj = sp.csr_matrix((z["adj_data"], z["adj_indices"], z["adj_indptr"]), shape=tuple(z["adj_shape"])).tocoo()
        edges = np.stack([adj.row, adj.col], 1)
    elif name in ("chameleon", "squirrel"):
        edges = np.loadtxt(mirror / f"geom-gcn/new_data/{name}/out1_graph_edges.txt", skiprows=1, dtype=np.int64)
    else:
        with np.load(mirror / f"heterophilous/{name.replace('-', '_')}.npz") as z:
            edges = z["edges"]
    edges = edges[edges[:, 0] != edges[:, 1]]
    ordered = {tuple(e) for e in edges.tolist()}
    return len(ordered), len({frozenset(e) for e in ordered})


SMALL = ("cora_ml", "citeseer_dir", "chameleon", "chameleon-directed", "chameleon-filtered-directed")


@pytest.mark.parametrize("name", SMALL)
def test_directed_dataset_both_ways_match_raw(mirror, name):
    directed, undirected = _raw_pairs(mirror, name)
    kept = load_dataset(DataConfig(name=name, directed=True))
    sym = load_dataset(DataConfig(name=name, directed=False))
    n = int(kept.data.num_nodes)
    counts = edge_direction_counts(kept.data.edge_index, n)
    assert counts["directed_edges"] == directed and counts["undirected_edges"] == undirected
    assert counts["reciprocity"] < 1.0  # still directed
    sym_counts = edge_direction_counts(sym.data.edge_index, n)
    assert sym_counts["directed_edges"] == 2 * undirected and sym_counts["reciprocity"] == 1.0
    assert len(kept.splits) == 10


@pytest.mark.slow
@pytest.mark.parametrize("name", ("squirrel", "squirrel-directed", "tolokers"))
def test_directed_dataset_large_both_ways_match_raw(mirror, name):
    directed, undirected = _raw_pairs(mirror, name)
    kept = load_dataset(DataConfig(name=name, directed=True))
    counts = edge_direction_counts(kept.data.edge_index, int(kept.data.num_nodes))
    assert counts["directed_edges"] == directed and counts["undirected_edges"] == undirected
    sym = load_dataset(DataConfig(name=name, directed=False))
    assert edge_direction_counts(sym.data.edge_index, int(sym.data.num_nodes))["directed_edges"] == 2 * undirected


def test_cora_ml_default_is_citationfull_undirected(mirror):
    ds = load_dataset(DataConfig(name="cora_ml"))
    assert ds.data.num_nodes == 2995 and ds.data.edge_index.size(1) == 16316  # PyG CitationFull('Cora_ML')
    assert ds.num_features == 2879 and ds.num_classes == 7
    assert [len(ds.splits[0][k]) for k in ("train", "valid", "test")] == [140, 500, 2355]
    assert all(torch.bincount(ds.data.y[s["train"]]).eq(20).all() for s in ds.splits)


def test_heterophilous_family_member_loads_from_a_mirror_that_holds_it(mirror, tmp_path):
    """A family member without a pinned hash (minesweeper) is read the same way and trusted
    on first use; here a Platonov-format file stands in for it."""
    fake = tmp_path / "mirror" / "heterophilous"
    fake.mkdir(parents=True)
    shutil.copyfile(mirror / "heterophilous/chameleon_filtered_directed.npz", fake / "minesweeper.npz")
    cfg = DataConfig(name="minesweeper", root=str(tmp_path / "root"), mirror=str(tmp_path / "mirror"))
    ds = load_dataset(cfg)
    assert ds.data.num_nodes == 890 and ds.metric == "rocauc" and len(ds.splits) == 10
    assert (tmp_path / "root" / "minesweeper" / "trusted" / "heterophilous" / "minesweeper.npz.sha256").is_file()
    kept = load_dataset(DataConfig(name="minesweeper", root=cfg.root, mirror=cfg.mirror, directed=True))
    assert kept.data.edge_index.size(1) == 13584
