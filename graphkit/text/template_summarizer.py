"""Deterministic summaries of subgraphs: the centre's text, its neighbours' titles, and
a few structural facts. No model, so pretraining pairs exist for any TAG offline."""

from __future__ import annotations

import re
from typing import Sequence

from graphkit.loader.subgraph_set import SubgraphSet

_TITLE_SPLIT = re.compile(r"\s:\s|\n")


def title_of(text: str, max_chars: int = 120) -> str:
    """First segment of a node text ("Title. : abstract" -> "Title."), cut to ``max_chars``."""
    head = _TITLE_SPLIT.split(text.strip(), maxsplit=1)[0].strip()
    return head if len(head) <= max_chars else head[:max_chars].rsplit(" ", 1)[0]


class TemplateSummarizer:
    """Summary of subgraph ``i``: ``"<centre text> Related: <t1>; <t2>; ... (<k> related
    items, <d> direct links.)"``, neighbours in subgraph order (the sampler's ranking).

    Args:
        max_center_chars: characters kept of the centre's text (default 400).
        max_neighbors: neighbour titles listed (default 5).
        max_title_chars: characters per neighbour title (default 120).
    """

    kind = "template"

    def __init__(self, max_center_chars: int = 400, max_neighbors: int = 5, max_title_chars: int = 120):
        self.max_center_chars = max_center_chars
        self.max_neighbors = max_neighbors
        self.max_title_chars = max_title_chars

    def options(self) -> dict:
        return {"kind": self.kind, **vars(self)}

    def __call__(self, texts: Sequence[str], subgraphs: SubgraphSet) -> list[str]:
        node_sizes, _ = subgraphs.sizes()
        out = []
        for i in range(len(subgraphs)):
            lo, hi = int(subgraphs.node_ptr[i]), int(subgraphs.node_ptr[i + 1])
            nodes = subgraphs.nodes[lo:hi].tolist()
            e = subgraphs.edge_index[:, subgraphs.edge_ptr[i]:subgraphs.edge_ptr[i + 1]]
            direct = int((e[0] == 0).sum())
            centre = texts[nodes[0]].strip()
            if len(centre) > self.max_center_chars:
                centre = centre[: self.max_center_chars].rsplit(" ", 1)[0]
            titles = [title_of(texts[v], self.max_title_chars) for v in nodes[1:1 + self.max_neighbors]]
            parts = [centre]
            if titles:
                parts.append("Related: " + "; ".join(titles) + ".")
            parts.append(f"({int(node_sizes[i]) - 1} related items, {direct} direct links.)")
            out.append(" ".join(parts))
        return out
