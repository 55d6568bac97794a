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


def write_tag_slice(dataset, num_nodes: int, path: Path, seed: int = 0) -> Path:
    """The first ``num_nodes`` nodes reached by BFS from the highest-degree node of a
    registered TAG (a connected slice of real data), titles only, as a TAG directory
    with a random 50/25/25 split; encoding a few hundred titles takes seconds."""
    import torch

    from graphkit.text.template_summarizer import title_of

    ei = dataset.data.edge_index
    n = int(dataset.data.num_nodes)
    deg = torch.bincount(ei[0], minlength=n)
    order, seen, frontier = [], set(), [int(deg.argmax())]
    nbrs: dict[int, list[int]] = {}
    for u, v in ei.t().tolist():
        nbrs.setdefault(u, []).append(v)
    while frontier and len(order) < num_nodes:
        nxt = []
        for u in frontier:
            if u in seen or len(order) >= num_nodes:
                continue
            seen.add(u)
            order.append(u)
            nxt += nbrs.get(u, [])
        frontier = nxt
    local = {g: i for i, g in enumerate(order)}
    edges = [(local[u], local[v]) for u, v in ei.t().tolist() if u in local and v in local]
    texts = [title_of(dataset.extra["raw_texts"][g]) for g in order]
    y_old = dataset.data.y[order]
    classes = sorted(set(y_old.tolist()))
    y = [classes.index(c) for c in y_old.tolist()]
    names = [dataset.extra["label_names"][c] for c in classes]
    path.mkdir(parents=True, exist_ok=True)
    (path / "raw_texts.json").write_text(json.dumps(texts))
    np.save(path / "edge_index.npy", np.array(edges, dtype=np.int64).reshape(-1, 2).T)
    np.save(path / "y.npy", np.array(y, dtype=np.int64))
    (path / "label_names.json").write_text(json.dumps(names))
    if "label_descriptions" in dataset.extra:
        (path / "label_descriptions.json").write_text(
            json.dumps([dataset.extra["label_descriptions"][c] for c in classes]))
    perm = np.random.default_rng(seed).permutation(len(order))
    a, b = len(order) // 2, 3 * len(order) // 4
    (path / "split.json").write_text(json.dumps(
        {"train": perm[:a].tolist(), "valid": perm[a:b].tolist(), "test": perm[b:].tolist()}))
    return path
