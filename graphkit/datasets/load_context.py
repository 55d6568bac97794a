"""What a dataset loader receives: the requested split, folders, and verified raw files."""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from graphkit.datasets.dataset_spec import DatasetSpec
from graphkit.datasets.fetch import fetch_file, file_checksum
from graphkit.errors import ChecksumError


@dataclass(frozen=True)
class LoadContext:
    """Args:
    spec: the dataset being built.
    split: resolved split protocol (never ``default``).
    raw_dir: where verified raw files are kept (shared by all option sets).
    work_dir: empty scratch folder for library processing (PyG / OGB roots);
        deleted after the build.
    mirror: offline mirror, or ``None`` to download.
    """

    spec: DatasetSpec
    split: str
    raw_dir: Path
    work_dir: Path
    mirror: Optional[Path] = None

    def fetch(self, path: str) -> Path:
        """Local verified copy of the spec's file with mirror path ``path``."""
        return fetch_file(self.spec.file(path), self.raw_dir, self.mirror)

    def stage(self, paths: list[str], folder: Path) -> Path:
        """Fetches ``paths`` and copies them, by base name, into ``folder`` (created),
        where a library loader (PyG, OGB) expects its raw files.

        Library loaders unpickle some raw files (Planetoid's ``ind.*``), so each copy is
        checked against its checksum again: ``folder`` lies in the build's private
        temporary directory, so the checked bytes are the ones the loader reads, even if
        the shared raw folder changed after :meth:`fetch` verified it."""
        folder.mkdir(parents=True, exist_ok=True)
        for path in paths:
            copy = folder / Path(path).name
            shutil.copyfile(self.fetch(path), copy)
            algorithm, expected = self.spec.file(path).checksum
            actual = file_checksum(copy, algorithm)
            if actual != expected:
                copy.unlink()
                raise ChecksumError(f"checksum mismatch for {path} after copying: expected {algorithm} "
                                    f"{expected}, got {actual}")
        return folder

    def read_verified(self, path: str) -> bytes:
        """The bytes of the spec's file ``path``, hashed again after reading: code that
        must unpickle a file parses exactly the bytes whose checksum matched, not a file
        another process could have swapped since :meth:`fetch` verified it."""
        file = self.spec.file(path)
        payload = self.fetch(path).read_bytes()
        algorithm, expected = file.checksum
        if algorithm == "sha256":
            actual = hashlib.sha256(payload).hexdigest()
        else:  # git-blob-sha1
            actual = hashlib.sha1(f"blob {len(payload)}\0".encode() + payload).hexdigest()
        if actual != expected:
            raise ChecksumError(f"checksum mismatch for {path} after reading: expected {algorithm} "
                                f"{expected}, got {actual}")
        return payload

    def fetch_all(self) -> dict[str, Path]:
        """Fetches every file of the spec; maps mirror path -> local path."""
        return {f.path: fetch_file(f, self.raw_dir, self.mirror) for f in self.spec.files}
