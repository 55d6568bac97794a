"""Texts written about a graph's nodes under another node order (e.g. TAPE's GPT-3.5
explanations of Cora, whose ids are not ``tag:cora``'s), matched to the nodes by content.

The rule (:meth:`ContentAlignment.match`): TF-IDF cosine (scikit-learn; word unigrams and
bigrams, English stop words out, sublinear term frequency) between every written text and
every node text; a pair whose texts are each other's best match is kept as it is (a *mutual
best* match; these pairs never collide); the remaining texts are given the remaining nodes by
the one-to-one assignment of largest total similarity (SciPy's ``linear_sum_assignment``).
Nodes with identical texts are interchangeable under this rule, and a text that says nothing
about its paper (an error message, a generic sentence) gets whatever node is left; both are
counted. When fewer than ``min_mutual`` of the texts are mutual best matches, the texts do not
describe this graph's nodes (another graph, another version): that is a one-line
:class:`~graphkit.errors.DatasetError`, never a silent misalignment.

:func:`read_explanations` reads TAPE's ``gpt_responses`` joined as JSON lines
(``{"node_id", "content"}``); :func:`write_summaries` writes the ``{"node", "summary"}`` file
that ``task.summarizer: jsonl`` reads.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.feature_extraction.text import TfidfVectorizer

from graphkit.errors import DatasetError


def _normal(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


@dataclass(frozen=True)
class ContentAlignment:
    """``node[i]``: the node written text ``i`` is about; ``similarity[i]`` the TF-IDF cosine
    of that pair; ``mutual[i]``: the pair are each other's best match."""

    node: np.ndarray
    similarity: np.ndarray
    mutual: np.ndarray
    duplicate_nodes: int  # nodes whose text (case, punctuation ignored) another node also has

    @property
    def num_mutual(self) -> int:
        return int(self.mutual.sum())

    @classmethod
    def match(cls, written: Sequence[str], node_texts: Sequence[str], min_mutual: float = 0.5,
              what: str = "texts") -> "ContentAlignment":
        """Matches each of ``written`` to one node of ``node_texts`` (the rule in the module
        docstring); one text per node, so both lists must be of the same length."""
        if len(written) != len(node_texts):
            raise DatasetError(f"{what}: {len(written)} texts for {len(node_texts)} nodes; "
                               f"expected one per node")
        n = len(written)
        if n == 0:
            raise DatasetError(f"{what}: no texts")
        vectorizer = TfidfVectorizer(sublinear_tf=True, stop_words="english", ngram_range=(1, 2))
        try:
            vectorizer.fit(list(node_texts) + list(written))
        except ValueError:  # every text empty or stop words only
            raise DatasetError(f"{what}: no words to match on") from None
        sim = (vectorizer.transform(written) @ vectorizer.transform(node_texts).T).toarray()
        best_node, best_text = sim.argmax(1), sim.argmax(0)
        mutual = (best_text[best_node] == np.arange(n)) & (sim.max(1) > 0)
        node = np.where(mutual, best_node, -1)
        rest, free = np.flatnonzero(~mutual), np.setdiff1d(np.arange(n), best_node[mutual])
        if len(rest):
            rows, cols = linear_sum_assignment(sim[np.ix_(rest, free)], maximize=True)
            node[rest[rows]] = free[cols]
        if mutual.sum() < min_mutual * n:
            raise DatasetError(f"{what}: only {int(mutual.sum())} of {n} texts are the best match of a node "
                               f"text and the reverse (at least {min_mutual:.0%} expected): they do not "
                               f"describe this graph's nodes")
        counts = Counter(_normal(t) for t in node_texts)
        duplicates = sum(c for c in counts.values() if c > 1)
        return cls(node=node, similarity=sim[np.arange(n), node], mutual=mutual, duplicate_nodes=duplicates)

    def report(self) -> dict:
        """The numbers a reader needs to trust the alignment."""
        n = len(self.node)
        return {"texts": n, "mutual_best": self.num_mutual, "assigned": n - self.num_mutual,
                "duplicate_node_texts": self.duplicate_nodes,
                "similarity_quantiles": {q: round(float(np.quantile(self.similarity, q)), 4)
                                         for q in (0.0, 0.01, 0.1, 0.5)}}


def read_explanations(path: str | Path) -> list[str]:
    """TAPE's explanations as JSON lines ``{"node_id": int, "content": str}``, one per node
    id 0..N-1 (in any order): the texts in node-id order."""
    path = Path(path)
    table: dict[int, str] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise DatasetError(f"{path}: cannot read ({e})") from None
    for k, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            node, text = int(row["node_id"]), row["content"]
        except (ValueError, KeyError, TypeError):
            raise DatasetError(f"{path}:{k}: expected {{\"node_id\": int, \"content\": str}}") from None
        if not isinstance(text, str):
            raise DatasetError(f"{path}:{k}: content is not a string")
        if node in table:
            raise DatasetError(f"{path}:{k}: node_id {node} appears twice")
        table[node] = text
    if sorted(table) != list(range(len(table))):
        missing = sorted(set(range(max(table, default=-1) + 1)) - set(table))
        raise DatasetError(f"{path}: node ids are not 0..{len(table) - 1} (missing {missing[:5]})")
    return [table[i] for i in range(len(table))]


def write_summaries(path: str | Path, written: Sequence[str], alignment: ContentAlignment) -> Path:
    """Writes ``{"node": <graph node>, "summary": <text>}`` per line, in graph node order
    (the file ``task.summarizer: jsonl`` reads); atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    by_node = sorted(zip(alignment.node.tolist(), written))
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as f:
        for node, text in by_node:
            f.write(json.dumps({"node": node, "summary": text}) + "\n")
    os.replace(tmp, path)
    return path
