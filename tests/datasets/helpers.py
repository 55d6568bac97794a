"""Test helpers: a registry holding one registered spec re-pointed at a small fake mirror."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

from graphkit.datasets import DATASETS
from graphkit.datasets.remote_file import RemoteFile
from graphkit.registry import Registry


def registry_with_files(name: str, mirror: Path, contents: dict[str, bytes]) -> Registry:
    """A registry whose ``name`` is the real spec but with ``contents`` (mirror path ->
    bytes) written into ``mirror`` and pinned by their own hashes."""
    files = []
    for path, data in contents.items():
        (mirror / path).parent.mkdir(parents=True, exist_ok=True)
        (mirror / path).write_bytes(data)
        files.append(RemoteFile(path, hashlib.sha256(data).hexdigest()))
    registry = Registry("dataset")
    registry.register(name, dataclasses.replace(DATASETS.get(name), files=tuple(files)))
    return registry
