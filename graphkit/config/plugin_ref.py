"""A plugin as a run records it: what the user named, the file it came from, its sha256."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True)
class PluginRef:
    """Args:
    spec: the plugin as named in ``plugins:`` / ``--plugin`` (a module such as
        ``my_pkg.my_layers`` or a file such as ``./my_layer.py``).
    file: the file it was imported from (absolute), recorded by the run.
    sha256: that file's sha256 when the run started; a later command refuses another.
    """

    spec: str
    file: Optional[str] = None
    sha256: Optional[str] = None
