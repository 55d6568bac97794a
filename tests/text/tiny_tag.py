"""A tiny text-attributed graph written as a TAG directory, for unit and CLI tests."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

TOPICS = ("astronomy", "cooking", "football", "music")
_WORDS = {
    "astronomy": ("stars", "telescope", "galaxies", "planets", "orbits"),
    "cooking": ("recipes", "kitchen", "baking", "sauces", "flavour"),
    "football": ("goals", "players", "league", "matches", "stadium"),
    "music": ("songs", "guitar", "melody", "concerts", "rhythm"),
}


def write_tiny_tag(path: Path, per_class: int = 8, seed: int = 0) -> Path:
    """``per_class`` nodes per topic; each text names its topic; edges mostly within a
    topic (a ring per topic plus one cross-topic edge per node)."""
    rng = np.random.default_rng(seed)
    path.mkdir(parents=True, exist_ok=True)
    texts, y, edges = [], [], []
    for c, topic in enumerate(TOPICS):
        for i in range(per_class):
            w = rng.choice(_WORDS[topic], size=2, replace=False)
            texts.append(f"A study of {topic} #{i}: {w[0]} and {w[1]} in {topic}.")
            y.append(c)
    n = len(texts)
    for c in range(len(TOPICS)):
        base = c * per_class
        for i in range(per_class):
            edges.append((base + i, base + (i + 1) % per_class))
            edges.append((base + i, base + (i + 2) % per_class))
    for u in range(n):
        edges.append((u, int(rng.integers(n))))
    (path / "raw_texts.json").write_text(json.dumps(texts))
    np.save(path / "edge_index.npy", np.array(edges, dtype=np.int64).T)
    np.save(path / "y.npy", np.array(y, dtype=np.int64))
    (path / "label_names.json").write_text(json.dumps(list(TOPICS)))
    order = rng.permutation(n)
    half = n // 2
    split = {"train": order[:half].tolist(), "valid": order[half:half + n // 4].tolist(),
             "test": order[half + n // 4:].tolist()}
    (path / "split.json").write_text(json.dumps(split))
    return path
