import pytest

from graphkit.config import DataConfig
from graphkit.datasets import load_dataset
from graphkit.datasets.trust import fetch_trusted, record_path, recorded_hashes
from graphkit.errors import ChecksumError, DatasetError
from graphkit.registry import Registry
from tests.datasets.own_data_helpers import write_tu_zip


def test_fetch_trusted_records_first_hash_then_refuses_a_changed_file(tmp_path, capsys):
    mirror, cache = tmp_path / "mirror", tmp_path / "cache" / "ds"
    (mirror / "x").mkdir(parents=True)
    (mirror / "x" / "f.bin").write_bytes(b"first")
    local = fetch_trusted("x/f.bin", None, cache, mirror)
    assert local.read_bytes() == b"first"
    line = capsys.readouterr().err.strip()
    assert "trusting it on first use" in line and "\n" not in line
    assert recorded_hashes(cache) == {"x/f.bin": record_path(cache, "x/f.bin").read_text().strip()}
    assert fetch_trusted("x/f.bin", None, cache, mirror) == local  # same file: accepted silently
    assert capsys.readouterr().err == ""
    (mirror / "x" / "f.bin").write_bytes(b"changed")
    with pytest.raises(ChecksumError, match="changed since it was first trusted.*refused"):
        fetch_trusted("x/f.bin", None, cache, mirror)
    assert local.read_bytes() == b"first"  # the trusted copy is kept, the new one is not


@pytest.mark.parametrize("garbage", [b"\xff\xfe\x00\x01" * 20, b"not a hash\n", b""])
def test_garbled_trust_record_is_one_line_naming_it(tmp_path, capsys, garbage):
    mirror, cache = tmp_path / "mirror", tmp_path / "cache" / "ds"
    (mirror / "x").mkdir(parents=True)
    (mirror / "x" / "f.bin").write_bytes(b"first")
    fetch_trusted("x/f.bin", None, cache, mirror)
    record = record_path(cache, "x/f.bin")
    record.write_bytes(garbage)
    for call in (lambda: fetch_trusted("x/f.bin", None, cache, mirror), lambda: recorded_hashes(cache)):
        with pytest.raises(DatasetError, match=f"trust record {record} does not hold a sha256.*delete it"):
            call()
    record.unlink()  # the documented way out: trust the current file again
    assert fetch_trusted("x/f.bin", None, cache, mirror).read_bytes() == b"first"


def test_fetch_trusted_missing_mirror_file_names_it_and_the_url(tmp_path):
    with pytest.raises(DatasetError, match=r"mirror file not found: .*tu/NCI109.zip; without a mirror .*NCI109.zip"):
        fetch_trusted("tu/NCI109.zip", "https://example.org/NCI109.zip", tmp_path / "c", tmp_path)


def test_tu_family_member_loads_from_mirror_zip_and_enforces_trust(tmp_path, capsys):
    # A TU dataset that is not curated, in a mirror that holds only its zip (tu/<NAME>.zip).
    mirror = tmp_path / "mirror"
    (mirror / "tu").mkdir(parents=True)
    write_tu_zip(mirror / "tu" / "TINY.zip")
    cfg = DataConfig(name="tu:TINY", mirror=str(mirror), root=str(tmp_path / "data"))
    dataset = load_dataset(cfg, registry=Registry("dataset"))
    assert (dataset.name, dataset.task, dataset.metric) == ("tu:TINY", "graph_classification", "accuracy")
    assert len(dataset.graphs) == 20 and len(dataset.splits) == 10 and dataset.num_classes == 2
    assert "tu/TINY.zip has no pinned hash; trusting it on first use" in capsys.readouterr().err
    assert load_dataset(cfg, registry=Registry("dataset")).num_classes == 2  # cached, unchanged: fine
    write_tu_zip(tmp_path / "other" / "TINY.zip", name="TINY")  # rebuilt zip: different bytes
    (mirror / "tu" / "TINY.zip").write_bytes((tmp_path / "other" / "TINY.zip").read_bytes() + b"\0")
    with pytest.raises(ChecksumError, match=r"TINY.zip changed since it was first trusted"):
        load_dataset(cfg, registry=Registry("dataset"))  # refused even though the cache exists
