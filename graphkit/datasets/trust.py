"""Trust on first use for raw files that have no pinned sha256 (``tu:<NAME>``, ``ogb:<name>``).

The first fetch of such a file records its sha256 under the dataset's cache folder,
``<root>/<dataset>/trusted/<mirror path>.sha256``, and says so in one line; every later
fetch, and every load of the dataset while its source is a mirror, compares against the
record and refuses a file that changed. Deleting the record accepts the new file.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Optional

from graphkit.datasets.fetch import MIRROR_ENV, _download, _temp_path, sha256sum
from graphkit.atomic import write_text_atomic
from graphkit.errors import ChecksumError, DatasetError

TRUST_DIR = "trusted"


def record_path(dataset_dir: Path, path: str) -> Path:
    """Where the trusted sha256 of the file at mirror path ``path`` is recorded."""
    return dataset_dir / TRUST_DIR / f"{path}.sha256"


def recorded_hashes(dataset_dir: Path) -> dict[str, str]:
    """Mirror path -> recorded sha256 of every file trusted so far for this dataset."""
    folder = dataset_dir / TRUST_DIR
    if not folder.is_dir():
        return {}
    return {str(p.relative_to(folder))[: -len(".sha256")]: read_record(p)
            for p in sorted(folder.rglob("*.sha256"))}


def read_record(record: Path) -> str:
    """The sha256 recorded in ``record``; a record that is not one (binary bytes, an edit)
    is refused in one line: trusting a file again is the user's decision."""
    text = record.read_bytes().decode("ascii", errors="replace").strip().lower()
    if len(text) != 64 or any(c not in "0123456789abcdef" for c in text):
        raise DatasetError(f"trust record {record} does not hold a sha256 (64 hex digits); delete it to "
                           f"trust the current file again")
    return text


def _check(path: str, source: str, actual: str, record: Path) -> None:
    expected = read_record(record)
    if actual != expected:
        raise ChecksumError(
            f"{source} changed since it was first trusted: recorded sha256 {expected}, now {actual}; "
            f"refused (delete {record} to trust the new file)"
        )


def _record(path: str, source: str, digest: str, record: Path) -> None:
    write_text_atomic(record, digest + "\n")
    print(f"graphkit: {path} has no pinned hash; trusting it on first use: sha256 {digest} "
          f"(from {source}), recorded in {record}", file=sys.stderr)


def verify_mirror(dataset_dir: Path, mirror: Path) -> None:
    """Compares every trusted file of the dataset that the mirror holds with its record
    (a local hash per file), so a changed mirror file is refused even when the processed
    cache would not need it."""
    for path, expected in recorded_hashes(dataset_dir).items():
        source = mirror / path
        if source.is_file():
            _check(path, str(source), sha256sum(source), record_path(dataset_dir, path))


def fetch_trusted(path: str, url: Optional[str], dataset_dir: Path, mirror: Optional[Path]) -> Path:
    """A local copy of the file at mirror ``path`` (from ``mirror`` or ``url``), checked
    against its trust record, or recorded when it is fetched for the first time.

    Raises:
        DatasetError: the mirror lacks the file, or the download failed.
        ChecksumError: the file differs from the recorded one; nothing is kept.
    """
    dest = dataset_dir / "raw" / path
    record = record_path(dataset_dir, path)
    if mirror is None and dest.is_file() and record.is_file():
        _check(path, str(dest), sha256sum(dest), record)
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp_path(dest)
    try:
        if mirror is not None:
            source = str(Path(mirror) / path)
            if not Path(source).is_file():
                hint = f"; without a mirror ({MIRROR_ENV} unset) it is downloaded from {url}" if url else ""
                raise DatasetError(f"mirror file not found: {source}{hint}")
            shutil.copyfile(source, tmp)
        elif url is None:
            raise DatasetError(f"{path} has no public download; point data.mirror or ${MIRROR_ENV} at a mirror")
        else:
            source = url
            _download(url, tmp)
        digest = sha256sum(tmp)
        if record.is_file():
            _check(path, source, digest, record)
        else:
            _record(path, source, digest, record)
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    return dest
