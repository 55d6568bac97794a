"""One file a dataset is built from: where it lives publicly and in the offline mirror."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

_HEX = frozenset("0123456789abcdef")


@dataclass(frozen=True)
class RemoteFile:
    """A raw dataset file, identified by its checksum.

    Args:
        path: the file's path inside the mirror (``planetoid/ind.cora.x``); it is also
            where the verified copy is kept under the dataset's ``raw/`` folder.
        sha256: hex digest every copy must have, whether mirrored or downloaded.
        url: canonical public download. ``None`` when there is no byte-identical public
            file (the dataset then needs a mirror).
        member: when ``url`` is an archive (OGB zips), the path of this file inside it.
        git_blob_sha1: the file's git blob id, checked instead of ``sha256`` for the rare
            file whose sha256 is unknown because no copy of it could be obtained.
    """

    path: str
    sha256: Optional[str]
    url: Optional[str] = None
    member: Optional[str] = None
    git_blob_sha1: Optional[str] = None

    def __post_init__(self) -> None:
        if self.path.startswith("/") or ".." in self.path.split("/"):
            raise ValueError(f"{self.path}: path must be relative and stay inside the mirror")
        if self.sha256 is None and self.git_blob_sha1 is None:
            raise ValueError(f"{self.path}: needs a sha256 (or a git blob id)")
        for digest, size in ((self.sha256, 64), (self.git_blob_sha1, 40)):
            if digest is not None and (len(digest) != size or not set(digest) <= _HEX):
                raise ValueError(f"{self.path}: bad checksum {digest!r}")

    @property
    def checksum(self) -> tuple[str, str]:
        """(algorithm, expected hex digest): ``sha256`` when known, else ``git-blob-sha1``."""
        if self.sha256 is not None:
            return "sha256", self.sha256
        return "git-blob-sha1", self.git_blob_sha1
