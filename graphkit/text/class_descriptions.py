"""Paragraph descriptions of a dataset's classes, for zero-shot label texts
(``graphkit zeroshot --class-texts names|descriptions|both``).

A description file is read without running code and matched to the dataset's label order
by class name (case, ``_`` and spaces ignored; ``cs.AI (Artificial Intelligence)`` also
answers to ``cs.AI``). Formats:

- CSV with a header row: the class name in the first column, the description in the
  second (OneForAll's, TSGFM's and GraphCLIP's ``*_categories.csv``);
- text: a class name line, its description on the following lines, a blank line between
  classes (OneForAll's ``ofa_arxiv_CS_categories.txt``);
- JSON: ``{class name: description}``.

A file may describe more classes than the dataset has; a class it does not describe is a
:class:`DatasetError` naming the missing classes and the file's names.

:data:`KNOWN_FILES` names the published file for registered TAGs; it is read from the
mirror (``$GRAPHKIT_MIRROR``) or downloaded and checked against its sha256.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Optional, Sequence

from graphkit.datasets.checksums import known_file
from graphkit.datasets.fetch import fetch_file, resolve_mirror, resolve_root
from graphkit.datasets.tag_files import read_json
from graphkit.errors import DatasetError

CLASS_TEXTS = ("names", "descriptions", "both")
# the repositories' own paths at the commits the mirror names (the mirror renames the files)
_OFA = "https://raw.githubusercontent.com/LechengKong/OneForAll/351c0af1/data/single_graph"
_TSGFM = "https://raw.githubusercontent.com/CurryTang/TSGFM/35668513/data/single_graph"
# registered TAG -> (mirror path, download URL) of its published class descriptions
KNOWN_FILES = {
    "tag:cora": ("tag/class_descriptions/ofa_cora_categories.csv", f"{_OFA}/Cora/categories.csv"),
    "tag:arxiv_2023": ("tag/class_descriptions/tsgfm_arxiv_categories.csv", f"{_TSGFM}/arxiv/categories.csv"),
    "tag:dblp": ("tag/class_descriptions/tsgfm_dblp_categories.csv", f"{_TSGFM}/dblp/categories.csv"),
}


def _key(name: str) -> str:
    return re.sub(r"[\s_]+", " ", name).strip().lower()


def read_class_descriptions(path: str | Path) -> dict[str, str]:
    """``{class name: description}`` from a description file (formats in the module docstring)."""
    path = Path(path)
    if path.suffix.lower() == ".json":
        table = read_json(path, "a JSON object {class name: description}")
        if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
            raise DatasetError(f"{path}: expected a JSON object {{class name: description}}")
        return table
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise DatasetError(f"{path}: cannot be read as UTF-8 text ({e}); expected class descriptions") from None
    if path.suffix.lower() == ".csv":
        try:
            rows = list(csv.reader(io.StringIO(text)))
        except csv.Error as e:
            raise DatasetError(f"{path}: malformed CSV ({e}); expected name,description rows") from None
        table = {r[0].strip(): (r[1].strip() if len(r) > 1 else "") for r in rows[1:] if r and r[0].strip()}
    else:
        table = {}
        for block in re.split(r"\n\s*\n", text.strip()):
            name, _, description = block.strip().partition("\n")
            if name.strip():
                table[name.strip()] = " ".join(description.split())
    if not table:
        raise DatasetError(f"{path}: no class descriptions found")
    return table


def match_class_descriptions(label_names: Sequence[str], table: dict[str, str], source: str) -> list[str]:
    """``table``'s descriptions in ``label_names``' order; a class with no entry (or an
    empty one) is a :class:`DatasetError` naming it."""
    by_key: dict[str, str] = {}
    for name, description in table.items():
        by_key[_key(name)] = description
        short = re.match(r"^(\S+)\s+\(.*\)$", name.strip())  # "cs.AI (Artificial Intelligence)"
        if short:
            by_key.setdefault(_key(short.group(1)), description)
    missing = [n for n in label_names if not by_key.get(_key(n), "").strip()]
    if missing:
        known = {_key(n) for n in label_names}
        extra = [n for n in table if _key(n) not in known and _key(n.split(" (")[0]) not in known]
        raise DatasetError(f"{source}: no description for class{'es' if len(missing) > 1 else ''} "
                           f"{', '.join(missing)}; names in the file that match no class: "
                           f"{', '.join(extra) if extra else 'none'}")
    return [by_key[_key(n)] for n in label_names]


def known_descriptions_file(dataset: str, root: Optional[str] = None) -> Optional[Path]:
    """The local, verified copy of :data:`KNOWN_FILES`'s file for ``dataset`` (None when
    none is known)."""
    if dataset not in KNOWN_FILES:
        return None
    path, url = KNOWN_FILES[dataset]
    return fetch_file(known_file(path, url), resolve_root(root) / "raw", resolve_mirror())


def class_descriptions(dataset: str, label_names: Sequence[str], own: Optional[Sequence[str]],
                       file: Optional[str] = None, root: Optional[str] = None) -> Optional[list[str]]:
    """The descriptions to use for ``dataset``'s classes: ``file`` when given, else the
    dataset's ``own`` (from its directory or loader), else its :data:`KNOWN_FILES` file,
    else None."""
    if file:
        return match_class_descriptions(label_names, read_class_descriptions(file), file)
    if own and any(d.strip() for d in own):
        return list(own)
    known = known_descriptions_file(dataset, root)
    if known is None:
        return None
    return match_class_descriptions(label_names, read_class_descriptions(known), str(known))
