"""The registry's keep / symmetrize / auto switch (``data.directed``) on a hand-built
4-node directed graph, and its one-line errors."""

import hashlib
from pathlib import Path

import pytest
import torch
from torch_geometric.data import Data

from graphkit.config import DataConfig, PEConfig
from graphkit.datasets import DatasetSpec, LoadedDataset, cache_dir, load_dataset
from graphkit.datasets.remote_file import RemoteFile
from graphkit.errors import ConfigError
from graphkit.registry import Registry

# a directed 4-cycle 0->1->2->3->0 plus one reciprocal pair 1->0
EDGES = b"0 1\n1 2\n2 3\n3 0\n1 0\n"


def _loader(ctx):
    edges = torch.tensor([[int(v) for v in line.split()] for line in
                          ctx.fetch("dir/edges.txt").read_text().splitlines()]).t()
    data = Data(x=torch.eye(4), edge_index=edges, y=torch.tensor([0, 1, 0, 1]))
    splits = [{"train": torch.arange(4), "valid": torch.tensor([1]), "test": torch.tensor([2])}]
    return LoadedDataset(name=ctx.spec.name, task="node_classification", metric="accuracy", data=data,
                         splits=splits, num_features=4, num_classes=2)


def _registry(**spec_options) -> Registry:
    registry = Registry("dataset")
    for name, options in {"dir": {"directed": True}, "undir": {"directed": False},
                          "unknown": {}, "pyg_like": {"directed": True, "keep_direction": False}}.items():
        registry.register(name, DatasetSpec(
            name=name, task="node_classification", metric="accuracy", source="test", citation="",
            description="4-cycle", files=(RemoteFile("dir/edges.txt", hashlib.sha256(EDGES).hexdigest()),),
            loader=_loader, **options))
    return registry


@pytest.fixture
def toy(tmp_path: Path):
    (tmp_path / "mirror" / "dir").mkdir(parents=True)
    (tmp_path / "mirror" / "dir" / "edges.txt").write_bytes(EDGES)
    return lambda name, **kw: DataConfig(name=name, root=str(tmp_path / "root"), mirror=str(tmp_path / "mirror"), **kw)


def _pairs(ds) -> set:
    return set(map(tuple, ds.data.edge_index.t().tolist()))


def test_directed_switch_keeps_or_symmetrizes(toy):
    registry = _registry()
    raw = {(0, 1), (1, 2), (2, 3), (3, 0), (1, 0)}
    assert _pairs(load_dataset(toy("dir"), registry)) == raw  # default: as loaded
    kept = load_dataset(toy("dir", directed=True), registry)
    assert _pairs(kept) == raw
    sym = load_dataset(toy("dir", directed=False), registry)
    assert _pairs(sym) == raw | {(b, a) for a, b in raw} and sym.data.edge_index.size(1) == 8
    assert sym.extra["directed"] is False
    # the raw cache is unchanged by a symmetrized read; its key is today's key
    assert _pairs(load_dataset(toy("dir"), registry)) == raw
    assert cache_dir(registry.get("dir"), toy("dir")) == cache_dir(registry.get("dir"), toy("dir", directed=True))


def test_directed_default_follows_keep_direction(toy):
    registry = _registry()
    assert load_dataset(toy("pyg_like"), registry).data.edge_index.size(1) == 8
    assert load_dataset(toy("pyg_like", directed=True), registry).data.edge_index.size(1) == 5


def test_directed_encodings_see_the_final_edges(toy):
    registry = _registry()
    directed = load_dataset(toy("dir", directed=True, pe=PEConfig(rwse_steps=2)), registry)
    sym = load_dataset(toy("dir", directed=False, pe=PEConfig(rwse_steps=2)), registry)
    # node 2 -> 3 -> 0 -> ...: no directed walk returns in 2 steps, the symmetrized one does
    assert directed.data.rwse[2, 1] == 0 and sym.data.rwse[2, 1] > 0


def test_directed_auto_records_amud(toy):
    ds = load_dataset(toy("dir", directed="auto"), _registry())
    assert set(ds.extra["amud"]) >= {"statistic", "decision", "split"}
    assert ds.extra["directed"] == (ds.extra["amud"]["decision"] == "directed")


def test_directed_errors_are_one_line(toy):
    registry = _registry()
    with pytest.raises(ConfigError, match="records no edge direction"):
        load_dataset(toy("unknown", directed=True), registry)
    with pytest.raises(ConfigError, match="records no edge direction"):
        load_dataset(toy("unknown", directed="auto"), registry)
    with pytest.raises(ConfigError, match="undirected raw edges"):
        load_dataset(toy("undir", directed=True), registry)
    # false on an undirected dataset is a no-op, not an error
    assert load_dataset(toy("undir", directed=False), registry).data.edge_index.size(1) == 5


def test_directed_config_rejects_other_values():
    with pytest.raises(ValueError, match="data.directed"):
        DataConfig(name="x", directed="yes")
