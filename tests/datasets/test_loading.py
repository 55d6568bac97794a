import dataclasses
import hashlib
import multiprocessing
import os
import time
from pathlib import Path

import pytest
import torch
from torch_geometric.data import Data

from graphkit.config import DataConfig, PEConfig
from graphkit.datasets import DATASETS, DatasetSpec, LoadedDataset, cache_dir, load_dataset
from graphkit.datasets.remote_file import RemoteFile
from graphkit.errors import ConfigError, DatasetError, UnknownNameError
from graphkit.registry import Registry

EDGES = b"0 1\n1 2\n2 0\n"


def _tiny_loader(ctx):
    edges = torch.tensor([[int(v) for v in line.split()] for line in
                          ctx.fetch("toy/edges.txt").read_text().splitlines()]).t()
    data = Data(x=torch.eye(3), edge_index=torch.cat([edges, edges.flip(0)], 1),
                y=torch.tensor([0, 1, 0]))
    splits = [{"train": torch.tensor([0]), "valid": torch.tensor([1]), "test": torch.tensor([2])}]
    if ctx.split == "two":
        splits = splits * 2
    return LoadedDataset(name="toy", task="node_classification", metric="accuracy", data=data,
                         splits=splits, num_features=3, num_classes=2,
                         extra={"label_names": ["a", "b"]})


def _toy_registry() -> Registry:
    registry = Registry("dataset")
    spec = DatasetSpec(
        name="toy", task="node_classification", metric="accuracy", source="test",
        citation="", description="triangle",
        files=(RemoteFile("toy/edges.txt", hashlib.sha256(EDGES).hexdigest()),),
        loader=_tiny_loader, splits=("one", "two"), num_nodes=3, num_edges=6,
    )
    registry.register("toy", spec)
    return registry


@pytest.fixture
def toy_mirror(tmp_path: Path) -> Path:
    (tmp_path / "mirror" / "toy").mkdir(parents=True)
    (tmp_path / "mirror" / "toy" / "edges.txt").write_bytes(EDGES)
    return tmp_path / "mirror"


def test_load_dataset_builds_cache_then_reuses_it(toy_mirror, tmp_path):
    cfg = DataConfig(name="toy", root=str(tmp_path / "root"), mirror=str(toy_mirror))
    registry = _toy_registry()
    first = load_dataset(cfg, registry)
    assert first.data.num_nodes == 3 and first.extra == {"label_names": ["a", "b"]}
    assert torch.equal(first.splits[0]["test"], torch.tensor([2]))
    folder = cache_dir(registry.get("toy"), cfg)
    assert sorted(p.name for p in folder.iterdir()) == ["graphs.pt", "meta.pt", "options.json"]
    # A second load reads the cache: the raw file is no longer needed.
    (tmp_path / "root" / "toy" / "raw" / "toy" / "edges.txt").unlink()
    again = load_dataset(cfg, registry)
    assert torch.equal(again.data.edge_index, first.data.edge_index)


def test_load_dataset_options_get_separate_caches(toy_mirror, tmp_path):
    registry = _toy_registry()
    base = DataConfig(name="toy", root=str(tmp_path), mirror=str(toy_mirror))
    two = DataConfig(name="toy", root=str(tmp_path), mirror=str(toy_mirror), split="two")
    pe = DataConfig(name="toy", root=str(tmp_path), mirror=str(toy_mirror), pe=PEConfig(rwse_steps=2))
    dirs = {cache_dir(registry.get("toy"), c) for c in (base, two, pe)}
    assert len(dirs) == 3
    assert len(load_dataset(two, registry).splits) == 2
    assert load_dataset(pe, registry).data.rwse.shape == (3, 2)
    assert "rwse" not in load_dataset(base, registry).data


def test_load_dataset_unknown_split_lists_choices(toy_mirror, tmp_path):
    cfg = DataConfig(name="toy", root=str(tmp_path), mirror=str(toy_mirror), split="three")
    with pytest.raises(ConfigError, match="valid options: default, one, two"):
        load_dataset(cfg, _toy_registry())


def test_load_dataset_split_index_out_of_range(toy_mirror, tmp_path):
    cfg = DataConfig(name="toy", root=str(tmp_path), mirror=str(toy_mirror), splits=(0, 1))
    with pytest.raises(ConfigError, match="index 1 out of range"):
        load_dataset(cfg, _toy_registry())


def test_load_dataset_failed_build_leaves_no_cache(tmp_path):
    empty = tmp_path / "empty_mirror"
    empty.mkdir()
    cfg = DataConfig(name="toy", root=str(tmp_path / "root"), mirror=str(empty))
    with pytest.raises(DatasetError, match="toy/edges.txt"):
        load_dataset(cfg, _toy_registry())
    assert list((tmp_path / "root" / "toy").glob("*")) == [tmp_path / "root" / "toy" / "raw"]


def test_load_dataset_unknown_name_lists_registered():
    with pytest.raises(UnknownNameError, match="valid choices: .*cora"):
        load_dataset(DataConfig(name="no-such-dataset"))


def test_load_dataset_pubmed_without_mirror_files_is_a_clear_error(mirror, tmp_path):
    with pytest.raises(DatasetError, match=r"mirror file not found: .*planetoid/ind\.pubmed\."):
        load_dataset(DataConfig(name="pubmed", root=str(tmp_path)))


def _race(root: str, mirror: str, barrier: str, queue) -> None:
    def slow_loader(ctx):
        # Both processes must be inside the build at once for the race to be real.
        (Path(barrier) / f"started-{os.getpid()}").touch()
        deadline = time.time() + 60
        while len(list(Path(barrier).glob("started-*"))) < 2 and time.time() < deadline:
            time.sleep(0.02)
        return _tiny_loader(ctx)

    registry = _toy_registry()
    registry._items["toy"] = dataclasses.replace(registry.get("toy"), loader=slow_loader)
    dataset = load_dataset(DataConfig(name="toy", root=root, mirror=mirror), registry)
    queue.put(dataset.data.edge_index.sum().item())


def test_load_dataset_concurrent_prepares_share_one_valid_cache(toy_mirror, tmp_path):
    barrier = tmp_path / "barrier"
    barrier.mkdir()
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    args = (str(tmp_path / "root"), str(toy_mirror), str(barrier), queue)
    procs = [context.Process(target=_race, args=args) for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
    assert [p.exitcode for p in procs] == [0, 0]
    assert len(list(barrier.glob("started-*"))) == 2
    assert [queue.get(timeout=5), queue.get(timeout=5)] == [12, 12]
    entries = sorted(p.name for p in (tmp_path / "root" / "toy").iterdir())
    assert len(entries) == 2 and "raw" in entries  # one cache entry, no temp folders
    cfg = DataConfig(name="toy", root=str(tmp_path / "root"), mirror=str(toy_mirror))
    assert load_dataset(cfg, _toy_registry()).data.num_nodes == 3


# OGB publishes no checksums for these: OGB's own downloader fetches them (internet only)
_DOWNLOADED_BY_OGB = {"ogbl-collab", "ogbl-ppa", "ogbl-citation2"}


def test_registry_specs_have_consistent_metadata():
    for name in DATASETS:
        spec = DATASETS.get(name)
        assert spec.name == name and spec.num_nodes
        # files trusted on first use (heterophilous roman-empire ...) are fetched by the loader
        unpinned = name in _DOWNLOADED_BY_OGB or spec.integrity == "trust-on-first-use"
        assert bool(spec.files) != unpinned
        assert spec.default_split == spec.splits[0]


def test_internet_only_dataset_fails_clearly_with_a_mirror(mirror, tmp_path):
    with pytest.raises(DatasetError, match="ogbl-collab is not in the mirror .* needs internet"):
        load_dataset(DataConfig(name="ogbl-collab", root=str(tmp_path)))


def test_load_dataset_encodings_reuse_the_plain_cache(toy_mirror, tmp_path):
    calls = []

    def counting_loader(ctx):
        calls.append(ctx.split)
        return _tiny_loader(ctx)

    registry = _toy_registry()
    registry._items["toy"] = dataclasses.replace(registry.get("toy"), loader=counting_loader)
    base = DataConfig(name="toy", root=str(tmp_path), mirror=str(toy_mirror))
    for pe in (PEConfig(lap_dim=2), PEConfig(rwse_steps=3), PEConfig(lap_dim=2, rwse_steps=3)):
        ds = load_dataset(dataclasses.replace(base, pe=pe), registry)
        assert ("lap_pe" in ds.data) == (pe.lap_dim > 0) and ("rwse" in ds.data) == (pe.rwse_steps > 0)
    assert calls == ["one"]  # raw processing ran once; encodings were added to its cache
    assert cache_dir(registry.get("toy"), base).is_dir()


class _TouchMarker:
    """A pickle payload that creates a file when unpickled with code execution."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        import subprocess

        return subprocess.call, (["touch", str(self.marker)],)


@pytest.mark.parametrize("victim", ["graphs.pt", "meta.pt"])
def test_load_dataset_never_executes_a_pickled_cache_and_rebuilds_it(toy_mirror, tmp_path, victim):
    cfg = DataConfig(name="toy", root=str(tmp_path / "root"), mirror=str(toy_mirror))
    registry = _toy_registry()
    first = load_dataset(cfg, registry)
    marker = tmp_path / "MARKER"
    torch.save(_TouchMarker(marker), cache_dir(registry.get("toy"), cfg) / victim)
    with pytest.warns(UserWarning, match="rebuilding it from the checksummed raw files"):
        again = load_dataset(cfg, registry)
    assert not marker.exists()
    assert torch.equal(again.data.edge_index, first.data.edge_index)
    # the rebuilt cache loads without a warning
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_dataset(cfg, registry)


@pytest.mark.parametrize("content", [b"", b"garbage, not a torch file", None])
def test_load_dataset_truncated_cache_is_rebuilt(toy_mirror, tmp_path, content):
    cfg = DataConfig(name="toy", root=str(tmp_path / "root"), mirror=str(toy_mirror))
    registry = _toy_registry()
    load_dataset(cfg, registry)
    graphs = cache_dir(registry.get("toy"), cfg) / "graphs.pt"
    content = graphs.read_bytes()[:100] if content is None else content
    graphs.write_bytes(content)
    with pytest.warns(UserWarning, match="does not load as plain tensors"):
        assert load_dataset(cfg, registry).data.num_nodes == 3


def test_cache_file_holds_only_plain_tensors_and_dicts(toy_mirror, tmp_path):
    cfg = DataConfig(name="toy", root=str(tmp_path / "root"), mirror=str(toy_mirror))
    registry = _toy_registry()
    load_dataset(cfg, registry)
    folder = cache_dir(registry.get("toy"), cfg)
    for name in ("graphs.pt", "meta.pt"):
        assert torch.serialization.get_unsafe_globals_in_checkpoint(folder / name) == []


def test_cache_key_changes_with_the_cache_format(toy_mirror, tmp_path, monkeypatch):
    from graphkit.datasets import graph_collection

    cfg = DataConfig(name="toy", root=str(tmp_path / "root"), mirror=str(toy_mirror))
    spec = _toy_registry().get("toy")
    before = cache_dir(spec, cfg)
    monkeypatch.setattr(graph_collection, "FORMAT", graph_collection.FORMAT + 1)
    assert cache_dir(spec, cfg) != before


@pytest.mark.parametrize("code,word", [(30, "read-only"), (28, "full")])
def test_load_dataset_read_only_or_full_root_is_one_line_error(toy_mirror, tmp_path, monkeypatch, code, word):
    from graphkit.datasets import loading

    def fail(*args, **kwargs):
        raise OSError(code, os.strerror(code), str(tmp_path / "root" / "toy"))

    monkeypatch.setattr(loading.tempfile, "mkdtemp", fail)
    cfg = DataConfig(name="toy", root=str(tmp_path / "root"), mirror=str(toy_mirror))
    with pytest.raises(DatasetError, match=rf"data root .*root is {word} .*GRAPHKIT_DATA"):
        load_dataset(cfg, _toy_registry())


def test_load_context_stage_rechecks_the_copy(toy_mirror, tmp_path, monkeypatch):
    from graphkit.datasets import load_context
    from graphkit.datasets.load_context import LoadContext
    from graphkit.errors import ChecksumError

    spec = _toy_registry().get("toy")
    ctx = LoadContext(spec=spec, split="one", raw_dir=tmp_path / "raw", work_dir=tmp_path / "work",
                      mirror=toy_mirror)
    assert (ctx.stage(["toy/edges.txt"], tmp_path / "a") / "edges.txt").read_bytes() == EDGES

    def swapped_after_check(src, dst):  # another process replaced the raw file after fetch
        Path(dst).write_bytes(b"0 1\n")

    monkeypatch.setattr(load_context.shutil, "copyfile", swapped_after_check)
    with pytest.raises(ChecksumError, match="after copying"):
        ctx.stage(["toy/edges.txt"], tmp_path / "b")
    assert not (tmp_path / "b" / "edges.txt").exists()
