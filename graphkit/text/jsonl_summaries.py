"""Summaries written elsewhere (e.g. GraphCLIP's LLM-generated ones), read from JSONL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Sequence

from graphkit.errors import DatasetError
from graphkit.loader.subgraph_set import SubgraphSet


class JsonlSummaries:
    """One JSON object per line, ``{"node": <centre node id>, "summary": "<text>"}``;
    the summary of a subgraph is the one of its centre.

    Args:
        path: the JSONL file.
    """

    kind = "jsonl"

    def __init__(self, path: str | Path):
        self.path = Path(path)

    def options(self) -> dict:
        stat = self.path.stat() if self.path.is_file() else None
        return {"kind": self.kind, "path": str(self.path.resolve()),
                "mtime": stat.st_mtime_ns if stat else None, "size": stat.st_size if stat else None}

    def _read(self) -> dict[int, str]:
        if not self.path.is_file():
            raise DatasetError(f"summaries file {self.path} does not exist")
        table = {}
        with self.path.open() as f:
            for k, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                    table[int(row["node"])] = str(row["summary"])
                except (ValueError, KeyError, TypeError):
                    raise DatasetError(f"{self.path}:{k}: expected {{\"node\": int, \"summary\": str}}") from None
        return table

    def __call__(self, texts: Sequence[str], subgraphs: SubgraphSet) -> list[str]:
        table = self._read()
        centres = subgraphs.centres.tolist()
        missing = [c for c in centres if c not in table]
        if missing:
            raise DatasetError(f"{self.path} has no summary for {len(missing)} of {len(centres)} "
                               f"centre nodes (first: {missing[:5]})")
        return [table[c] for c in centres]
