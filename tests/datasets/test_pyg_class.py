"""``pyg:`` classes never get to unpickle a file from a persistent folder."""

import hashlib
import json
import sys
import textwrap

import pytest
import torch

from graphkit.config import DataConfig
from graphkit.datasets import load_dataset
from graphkit.datasets.loading import cache_dir
from graphkit.datasets.resolve import resolve_dataset
from tests.pickle_payloads import TouchPayload as _Payload

# A PyG dataset that processes locally (no download), like any class a user names.
_MODULE = textwrap.dedent('''
    import torch
    from torch_geometric.data import Data, InMemoryDataset

    class LocalRing(InMemoryDataset):
        def __init__(self, root, size=6, transform=None, pre_transform=None):
            self.size = size
            super().__init__(root, transform, pre_transform)
            self.load(self.processed_paths[0])

        @property
        def raw_file_names(self):
            return []

        @property
        def processed_file_names(self):
            return ["data.pt"]

        def download(self):
            pass

        def process(self):
            n = self.size
            src = torch.arange(n)
            edge_index = torch.stack([torch.cat([src, (src + 1) % n]), torch.cat([(src + 1) % n, src])])
            data = Data(x=torch.eye(n), edge_index=edge_index, y=torch.arange(n) % 2)
            self.save([data], self.processed_paths[0])
''')


@pytest.fixture()
def local_ring(tmp_path, monkeypatch):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "local_ring_mod.py").write_text(_MODULE)
    monkeypatch.syspath_prepend(str(tmp_path / "pkg"))
    yield "pyg:local_ring_mod.LocalRing"
    sys.modules.pop("local_ring_mod", None)


def test_pyg_class_planted_pickles_under_data_root_never_run(local_ring, tmp_path):
    root = tmp_path / "data"
    cfg = DataConfig(name=local_ring, root=str(root), args={"size": 6}, split="random")
    marker = tmp_path / "pwned"
    # Where PyG's files lived when earlier versions rooted the class under the data root
    # (keyed by the arguments' digest), and beside it.
    raw = cache_dir(resolve_dataset(cfg), cfg).parent / "raw"
    key = hashlib.sha256(json.dumps(cfg.args, sort_keys=True).encode()).hexdigest()[:16]
    for folder in (raw / key / "processed", raw / "processed", raw):
        folder.mkdir(parents=True, exist_ok=True)
        for name in ("pre_transform.pt", "pre_filter.pt", "data.pt"):
            torch.save(_Payload(marker), folder / name)
    dataset = load_dataset(cfg)
    assert dataset.data.num_nodes == 6 and dataset.num_classes == 2
    assert not marker.exists()
    # The build path without a cache, then a warm cache: still nothing unpickled.
    load_dataset(cfg)
    assert not marker.exists()


def test_pyg_class_leaves_no_pyg_processed_files(local_ring, tmp_path):
    root = tmp_path / "data"
    load_dataset(DataConfig(name=local_ring, root=str(root), args={"size": 5}, split="random"))
    assert [p for p in root.rglob("pre_transform.pt")] == []
    for path in root.rglob("*.pt"):  # graphkit's cache: plain tensors only
        torch.load(path, weights_only=True)
