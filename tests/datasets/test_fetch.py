import hashlib
import zipfile
from pathlib import Path

import pytest

from graphkit.datasets.fetch import fetch_file, file_checksum, resolve_mirror, resolve_root
from graphkit.datasets.remote_file import RemoteFile
from graphkit.errors import ChecksumError, DatasetError

CONTENT = b"0 1\n1 2\n"
SHA = hashlib.sha256(CONTENT).hexdigest()


@pytest.fixture
def fake_mirror(tmp_path: Path) -> Path:
    mirror = tmp_path / "mirror"
    (mirror / "graphs").mkdir(parents=True)
    (mirror / "graphs" / "edges.txt").write_bytes(CONTENT)
    return mirror


def _leftovers(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def test_fetch_file_copies_from_mirror_when_hash_matches(fake_mirror, tmp_path):
    out = fetch_file(RemoteFile("graphs/edges.txt", SHA), tmp_path / "raw", fake_mirror)
    assert out == tmp_path / "raw" / "graphs" / "edges.txt"
    assert out.read_bytes() == CONTENT
    assert _leftovers(tmp_path / "raw") == [out]


def test_fetch_file_wrong_hash_raises_and_keeps_nothing(fake_mirror, tmp_path):
    wrong = "0" * 64
    with pytest.raises(ChecksumError) as info:
        fetch_file(RemoteFile("graphs/edges.txt", wrong), tmp_path / "raw", fake_mirror)
    message = str(info.value)
    assert "graphs/edges.txt" in message and wrong in message and SHA in message
    assert _leftovers(tmp_path / "raw") == []


def test_fetch_file_truncated_file_raises(fake_mirror, tmp_path):
    (fake_mirror / "graphs" / "edges.txt").write_bytes(CONTENT[:3])
    with pytest.raises(ChecksumError, match="expected sha256 " + SHA):
        fetch_file(RemoteFile("graphs/edges.txt", SHA), tmp_path / "raw", fake_mirror)
    assert _leftovers(tmp_path / "raw") == []


def test_fetch_file_replaces_a_corrupt_cached_copy(fake_mirror, tmp_path):
    cached = tmp_path / "raw" / "graphs" / "edges.txt"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"garbage")
    fetch_file(RemoteFile("graphs/edges.txt", SHA), tmp_path / "raw", fake_mirror)
    assert cached.read_bytes() == CONTENT


def test_fetch_file_missing_mirror_file_names_the_path(fake_mirror, tmp_path):
    with pytest.raises(DatasetError, match=r"mirror file not found: .*graphs/absent\.txt"):
        fetch_file(RemoteFile("graphs/absent.txt", SHA), tmp_path / "raw", fake_mirror)


def test_fetch_file_without_mirror_or_url_asks_for_a_mirror(tmp_path):
    with pytest.raises(DatasetError, match="no public download"):
        fetch_file(RemoteFile("graphs/edges.txt", SHA), tmp_path / "raw", None)


def test_fetch_file_downloads_from_url(fake_mirror, tmp_path):
    # file:// goes through the same urllib download code as https://
    url = (fake_mirror / "graphs" / "edges.txt").as_uri()
    out = fetch_file(RemoteFile("graphs/edges.txt", SHA, url=url), tmp_path / "raw", None)
    assert out.read_bytes() == CONTENT


def test_fetch_file_download_with_wrong_hash_keeps_nothing(fake_mirror, tmp_path):
    url = (fake_mirror / "graphs" / "edges.txt").as_uri()
    with pytest.raises(ChecksumError):
        fetch_file(RemoteFile("graphs/edges.txt", "f" * 64, url=url), tmp_path / "raw", None)
    assert _leftovers(tmp_path / "raw") == []


def test_fetch_file_unreachable_url_raises_dataset_error(tmp_path):
    url = (tmp_path / "nowhere.txt").as_uri()
    with pytest.raises(DatasetError, match="download of .*nowhere.txt failed.*set GRAPHKIT_MIRROR="):
        fetch_file(RemoteFile("graphs/edges.txt", SHA, url=url), tmp_path / "raw", None)


def test_fetch_file_extracts_archive_member(tmp_path):
    archive = tmp_path / "bundle.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("bundle/raw/edges.txt", CONTENT)
    file = RemoteFile("ogb/bundle/raw/edges.txt", SHA, url=archive.as_uri(),
                      member="bundle/raw/edges.txt")
    out = fetch_file(file, tmp_path / "raw", None)
    assert out.read_bytes() == CONTENT


def test_fetch_file_archive_with_bad_member_is_dropped(tmp_path):
    archive = tmp_path / "bundle.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("bundle/edges.txt", b"tampered")
    file = RemoteFile("b/edges.txt", SHA, url=archive.as_uri(), member="bundle/edges.txt")
    with pytest.raises(ChecksumError):
        fetch_file(file, tmp_path / "raw", None)
    assert _leftovers(tmp_path / "raw") == []  # neither the member nor the cached archive


def test_file_checksum_git_blob_matches_git(tmp_path):
    path = tmp_path / "f"
    path.write_bytes(b"hello\n")
    # `printf 'hello\n' | git hash-object --stdin`
    assert file_checksum(path, "git-blob-sha1") == "ce013625030ba8dba906f756967f9e9ca394464a"


def test_resolve_root_prefers_argument_then_env(monkeypatch, tmp_path):
    monkeypatch.setenv("GRAPHKIT_DATA", str(tmp_path / "env"))
    assert resolve_root(str(tmp_path / "arg")) == tmp_path / "arg"
    assert resolve_root(None) == tmp_path / "env"
    monkeypatch.delenv("GRAPHKIT_DATA")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert resolve_root(None) == tmp_path / "xdg" / "graphkit"


def test_resolve_mirror_rejects_missing_directory(monkeypatch, tmp_path):
    monkeypatch.delenv("GRAPHKIT_MIRROR", raising=False)
    assert resolve_mirror(None) is None
    with pytest.raises(DatasetError, match="not a directory"):
        resolve_mirror(str(tmp_path / "absent"))


def test_remote_file_rejects_bad_checksum_and_escaping_path():
    with pytest.raises(ValueError):
        RemoteFile("a.txt", "abc")
    with pytest.raises(ValueError):
        RemoteFile("../a.txt", SHA)
