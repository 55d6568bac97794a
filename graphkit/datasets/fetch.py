"""Getting raw files onto disk: from the offline mirror or the canonical URL, sha256-checked.

Every file is written under a temporary name in its destination folder and renamed into
place only after its hash matched, so a failed or interrupted fetch never leaves a
half-written or corrupt file where a later run would trust it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Optional

from graphkit.datasets.remote_file import RemoteFile
from graphkit.errors import ChecksumError, DatasetError

MIRROR_ENV = "GRAPHKIT_MIRROR"
ROOT_ENV = "GRAPHKIT_DATA"
_CHUNK = 1 << 20


def resolve_root(root: Optional[str] = None) -> Path:
    """Data root: ``root``, else ``$GRAPHKIT_DATA``, else ``~/.cache/graphkit``."""
    if root:
        return Path(root).expanduser()
    if os.environ.get(ROOT_ENV):
        return Path(os.environ[ROOT_ENV]).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME") or "~/.cache"
    return Path(cache).expanduser() / "graphkit"


def resolve_mirror(mirror: Optional[str] = None) -> Optional[Path]:
    """Mirror folder: ``mirror``, else ``$GRAPHKIT_MIRROR``, else ``None`` (download)."""
    chosen = mirror or os.environ.get(MIRROR_ENV)
    if not chosen:
        return None
    path = Path(chosen).expanduser()
    if not path.is_dir():
        raise DatasetError(f"dataset mirror {path} is not a directory")
    return path


def sha256sum(path: Path) -> str:
    return _hash_file(path, hashlib.sha256())


def file_checksum(path: Path, algorithm: str) -> str:
    """Hex digest of ``path``: ``sha256`` or ``git-blob-sha1`` (git's object id)."""
    if algorithm == "sha256":
        return sha256sum(path)
    if algorithm == "git-blob-sha1":
        digest = hashlib.sha1(f"blob {path.stat().st_size}\0".encode())
        return _hash_file(path, digest)
    raise ValueError(f"unknown checksum algorithm {algorithm!r}")


def _hash_file(path: Path, digest) -> str:
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def fetch_file(file: RemoteFile, dest_dir: Path, mirror: Optional[Path] = None) -> Path:
    """Puts a verified copy of ``file`` at ``dest_dir / file.path`` and returns that path.

    An existing copy with the right hash is reused. With a ``mirror`` the file is copied
    from ``mirror / file.path`` (a missing mirror file is an error, never a silent
    download); without one it is downloaded from ``file.url``.

    Raises:
        ChecksumError: the copy's checksum differs from the expected one; nothing is kept.
        DatasetError: the mirror lacks the file, it has no URL, or the download failed.
    """
    dest = Path(dest_dir) / file.path
    algorithm, expected = file.checksum
    if dest.is_file() and file_checksum(dest, algorithm) == expected:
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp_path(dest)
    try:
        if mirror is not None:
            source = Path(mirror) / file.path
            if not source.is_file():
                hint = f"; without a mirror it is downloaded from {file.url}" if file.url else ""
                raise DatasetError(f"mirror file not found: {source}{hint}")
            shutil.copyfile(source, tmp)
        elif file.url is None:
            raise DatasetError(
                f"{file.path} has no public download; point data.mirror or "
                f"${MIRROR_ENV} at a mirror that holds it"
            )
        elif file.member is None:
            source = file.url
            _download(file.url, tmp)
        else:
            source = f"{file.url}!{file.member}"
            archive = _fetch_archive(file.url, Path(dest_dir) / "_archives")
            _extract_member(archive, file.member, tmp)
        actual = file_checksum(tmp, algorithm)
        if actual != expected:
            if mirror is None and file.member is not None:
                archive.unlink(missing_ok=True)  # refetch the archive next time
            raise ChecksumError(
                f"checksum mismatch for {file.path} (from {source}): expected {algorithm} "
                f"{expected}, got {actual}; the file was not kept"
            )
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    return dest


def _temp_path(dest: Path) -> Path:
    fd, name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    os.close(fd)
    return Path(name)


def _download(url: str, out: Path) -> None:
    # imported here: the registry (`graphkit data list`) imports this module and never downloads
    import urllib.error
    import urllib.request

    from graphkit.progress import Progress

    request = urllib.request.Request(url, headers={"User-Agent": "graphkit"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response, open(out, "wb") as f:
            total = int(response.headers.get("Content-Length") or 0) or None
            name = url.rsplit("/", 1)[-1]
            with Progress(total=total, unit="B", unit_scale=True, desc=f"downloading {name}",
                          enabled=total is not None and total >= 10 * _CHUNK) as bar:
                for chunk in iter(lambda: response.read(_CHUNK), b""):
                    f.write(chunk)
                    bar.update(len(chunk))
    except (urllib.error.URLError, OSError) as e:
        reason = getattr(e, "reason", e)
        raise DatasetError(f"download of {url} failed: {reason}; to read the files from an offline "
                           f"mirror instead, set {MIRROR_ENV}=/path/to/mirror (or data.mirror in a "
                           f"config, --mirror for `graphkit data`)") from None


def _fetch_archive(url: str, archive_dir: Path) -> Path:
    # Archives have no pinned hash (only their members do); a corrupt one shows up as a
    # member checksum error or a bad zip, and is then deleted so the next try refetches.
    archive_dir.mkdir(parents=True, exist_ok=True)
    archive = archive_dir / url.rsplit("/", 1)[-1].split("?")[0]
    if not archive.is_file():
        tmp = _temp_path(archive)
        try:
            _download(url, tmp)
            os.replace(tmp, archive)
        finally:
            tmp.unlink(missing_ok=True)
    return archive


def _extract_member(archive: Path, member: str, out: Path) -> None:
    try:
        with zipfile.ZipFile(archive) as zf, zf.open(member) as src, open(out, "wb") as dst:
            shutil.copyfileobj(src, dst, _CHUNK)
    except KeyError:
        raise DatasetError(f"{archive} has no member {member}") from None
    except zipfile.BadZipFile:
        archive.unlink(missing_ok=True)
        raise DatasetError(f"{archive} is not a valid zip archive; deleted it, retry") from None


def dataset_dir(root: Path, name: str) -> Path:
    """The folder of dataset ``name`` under data root ``root`` (raw files, caches, trust records)."""
    return root / name.replace(":", "-").replace("/", "-")
