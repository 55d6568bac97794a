"""DBLP four-area papers as a text-attributed graph (TSGFM's release,
`Chen et al. 2024 <https://arxiv.org/abs/2406.10727>`_): paper titles, labelled by the
research area of the paper's venue (Database, Data Mining, AI, Information Retrieval).

The release is a heterogeneous graph (paper-author, paper-venue, paper-term). The paper
graph here links two papers when they share an author, as TSGFM does; the venue relation
is not an edge because it *is* the label (linking papers of one venue would hand the
class to the propagation baselines). Files (tab-separated, no header)::

    paper.txt          paper id, title
    paper_author.txt   paper id, author id
    paper_conf.txt     paper id, venue id
    categories.csv     name,description: one row per area (class descriptions)

:func:`read_dblp_directory` reads any directory of that layout; the venue -> area table
(:data:`VENUE_AREAS`, the 20 venues of the four-area DBLP set as TSGFM maps them) can be
replaced. No official split: 10 seeded random 60/20/20 splits.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Mapping

from graphkit.datasets.checksums import known_file
from graphkit.datasets.dataset_spec import DatasetSpec
from graphkit.datasets.load_context import LoadContext
from graphkit.datasets.loaded_dataset import NODE_CLASSIFICATION, LoadedDataset
from graphkit.datasets.tag import tag_dataset
from graphkit.errors import DatasetError

TSGFM_URL = "https://raw.githubusercontent.com/CurryTang/TSGFM/35668513/data/single_graph/dblp"
DBLP_FILES = ("paper.txt", "paper_author.txt", "paper_conf.txt", "categories.csv")
AREAS = ("Database", "Data Mining", "AI", "Information Retrieval")
# venue id of the four-area DBLP set -> index into AREAS (TSGFM's data/single_graph/dblp/gen_data.py)
VENUE_AREAS = {36: 2, 597: 3, 755: 2, 1194: 3, 1201: 2, 1234: 0, 1798: 0, 1801: 1, 1902: 2, 2180: 2,
               2504: 1, 2934: 1, 3011: 1, 3027: 0, 3230: 1, 3318: 3, 3329: 0, 3594: 0, 3771: 3, 4096: 3}


def _pairs(path: Path, what: str) -> list[tuple[int, str]]:
    """Rows ``id<TAB>value`` of ``path``; ``what`` names the value for messages."""
    rows = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise DatasetError(f"{path}: cannot be read as UTF-8 text ({e})") from None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        head, sep, value = line.partition("\t")
        if not sep or not head.strip().isdigit():
            raise DatasetError(f"{path}: line {number} is {line[:40]!r}; expected 'paper id<TAB>{what}'")
        rows.append((int(head), value.strip()))
    if not rows:
        raise DatasetError(f"{path}: no rows; expected 'paper id<TAB>{what}' lines")
    return rows


def read_categories(path: Path) -> dict[str, str]:
    """``name,description`` CSV (header row) -> {name: description}."""
    try:
        with path.open(newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise DatasetError(f"{path}: not a readable CSV ({e}); expected name,description rows") from None
    return {row[0].strip(): (row[1].strip() if len(row) > 1 else "") for row in rows[1:] if row and row[0].strip()}


def read_dblp_directory(path: str | Path, name: str = "tag:dblp",
                        venue_areas: Mapping[int, int] = VENUE_AREAS,
                        areas: tuple[str, ...] = AREAS) -> LoadedDataset:
    """The paper graph of a DBLP directory (layout in the module docstring): node ``i`` is
    the ``i``-th paper of ``paper.txt``; papers sharing an author are linked."""
    import numpy as np
    import scipy.sparse as sp
    import torch

    path = Path(path)
    missing = [f for f in DBLP_FILES if not (path / f).is_file()]
    if missing:
        raise DatasetError(f"{path} is not a DBLP directory: missing {', '.join(missing)}")
    papers = _pairs(path / "paper.txt", "title")
    index = {pid: i for i, (pid, _) in enumerate(papers)}
    if len(index) != len(papers):
        raise DatasetError(f"{path / 'paper.txt'}: a paper id appears more than once")

    def node(pid: int, file: str) -> int:
        if pid not in index:
            raise DatasetError(f"{path / file}: paper {pid} is not in paper.txt")
        return index[pid]

    y = np.full(len(papers), -1, dtype=np.int64)
    for pid, venue in _pairs(path / "paper_conf.txt", "venue id"):
        if not venue.isdigit() or int(venue) not in venue_areas:
            raise DatasetError(f"{path / 'paper_conf.txt'}: paper {pid} has venue {venue!r}, which is not one of "
                               f"the {len(venue_areas)} venues of the area table")
        y[node(pid, "paper_conf.txt")] = venue_areas[int(venue)]
    if (y < 0).any():
        raise DatasetError(f"{path / 'paper_conf.txt'}: paper {papers[int(np.argmax(y < 0))][0]} has no venue "
                           f"(no label)")
    rows, authors = [], {}
    for pid, author in _pairs(path / "paper_author.txt", "author id"):
        rows.append((node(pid, "paper_author.txt"), authors.setdefault(author, len(authors))))
    r, c = np.array(rows).T
    incidence = sp.csr_matrix((np.ones(len(rows)), (r, c)), shape=(len(papers), len(authors)))
    shared = (incidence @ incidence.T).tocoo()  # [papers, papers]: authors in common
    keep = shared.row != shared.col
    edge_index = torch.from_numpy(np.vstack([shared.row[keep], shared.col[keep]]).astype(np.int64))
    descriptions = read_categories(path / "categories.csv")
    unknown = [a for a in areas if a not in descriptions]
    if unknown:
        raise DatasetError(f"{path / 'categories.csv'}: no row for {', '.join(unknown)}; expected one row per "
                           f"area: {', '.join(areas)}")
    return tag_dataset(name, [t for _, t in papers], edge_index, torch.from_numpy(y), list(areas),
                       label_descriptions=[descriptions[a] for a in areas])


def _load(ctx: LoadContext) -> LoadedDataset:
    for file in DBLP_FILES:
        ctx.fetch(f"tag/dblp_tsgfm/{file}")
    return read_dblp_directory(ctx.raw_dir / "tag" / "dblp_tsgfm", ctx.spec.name)


SPECS = (
    DatasetSpec(
        name="tag:dblp",
        task=NODE_CLASSIFICATION,
        metric="accuracy",
        source="TSGFM DBLP (four areas), papers linked by shared authors",
        citation="https://arxiv.org/abs/2406.10727",
        description="14,376 DBLP paper titles, 4 areas (label = the venue's area); edges: a shared author",
        files=tuple(known_file(f"tag/dblp_tsgfm/{f}", f"{TSGFM_URL}/{f}") for f in DBLP_FILES),
        loader=_load,
        splits=("random-60-20-20",),
        num_graphs=1,
        num_nodes=14376,
        num_edges=431326,  # 215,663 undirected paper pairs with a shared author
    ),
)
