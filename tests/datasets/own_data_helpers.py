"""Tiny hand-made datasets in each bring-your-own format, written into a test's tmp folder."""

from __future__ import annotations

import zipfile
from pathlib import Path

import torch


def tiny_graphs(num_graphs: int = 20) -> list[dict]:
    """``num_graphs`` small graphs (3-6 nodes): class 1 graphs are cycles, class 0 paths,
    so the label is learnable from structure; node features are all ones."""
    graphs = []
    for i in range(num_graphs):
        n, label = 3 + i % 4, i % 2
        src = list(range(n - 1)) + ([n - 1] if label else [])
        dst = list(range(1, n)) + ([0] if label else [])
        edge_index = torch.tensor([src + dst, dst + src])
        graphs.append({"x": torch.ones(n, 2), "edge_index": edge_index, "y": torch.tensor([label])})
    return graphs


def write_tu_folder(folder: Path, name: str = "TINY", num_graphs: int = 20) -> Path:
    """The graphs of :func:`tiny_graphs` in TU format (1-based node ids, labels -1 / 1)."""
    folder.mkdir(parents=True)
    rows = {"A": [], "graph_indicator": [], "graph_labels": [], "node_labels": []}
    offset = 0
    for gid, g in enumerate(tiny_graphs(num_graphs), start=1):
        n = g["x"].size(0)
        rows["A"] += [f"{s + offset + 1}, {d + offset + 1}" for s, d in g["edge_index"].t().tolist()]
        rows["graph_indicator"] += [str(gid)] * n
        rows["node_labels"] += [str(v % 2) for v in range(n)]
        rows["graph_labels"].append("1" if int(g["y"]) else "-1")
        offset += n
    for kind, lines in rows.items():
        (folder / f"{name}_{kind}.txt").write_text("\n".join(lines) + "\n")
    return folder


def write_tu_zip(path: Path, name: str = "TINY") -> Path:
    folder = write_tu_folder(path.parent / f"{name}-files", name)
    with zipfile.ZipFile(path, "w") as zf:
        for file in sorted(folder.iterdir()):
            zf.write(file, f"{name}/{file.name}")
    return path


def write_saved_graphs(path: Path, meta: str | None = None) -> Path:
    torch.save(tiny_graphs(), path)
    if meta is not None:
        path.with_suffix(".yaml").write_text(meta)
    return path


def write_edge_list_folder(folder: Path, with_split: bool = True) -> Path:
    """A 10-node graph: two 5-node cliques joined by one edge, labelled by clique."""
    folder.mkdir(parents=True)
    edges = [(i, j) for c in (0, 5) for i in range(c, c + 5) for j in range(i + 1, c + 5)] + [(4, 5)]
    (folder / "edges.csv").write_text("source,target\n" + "".join(f"{i},{j}\n" for i, j in edges))
    (folder / "labels.csv").write_text("".join(f"{int(i >= 5)}\n" for i in range(10)))
    (folder / "features.csv").write_text("".join(f"{1.0 if i < 5 else 0.0},{0.5}\n" for i in range(10)))
    if with_split:
        names = ["train", "train", "valid", "test", "test"] * 2
        (folder / "split.csv").write_text("split\n" + "".join(f"{s}\n" for s in names))
    return folder
