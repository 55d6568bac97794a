"""Temporal Graph Benchmark link-prediction datasets: ``tgb:<name>`` (``tgb:tgbl-wiki`` ...).

Huang et al., "Temporal Graph Benchmark for Machine Learning on Temporal Graphs"
(NeurIPS 2023 Datasets and Benchmarks, https://arxiv.org/abs/2307.01026,
https://github.com/shenyangHuang/TGB). A ``tgbl-*`` dataset is one zip holding an edge list
``<name>_edgelist[_v<k>].csv`` and the published evaluation negatives
``<name>_{val,test}_ns[_v<k>].pkl``: for every validation / test event ``(src, dst, t)``,
the destinations it is ranked against (TGB's one-vs-many protocol, scored by MRR).

Reading follows TGB's ``LinkPropPredDataset`` so that node ids match the ids in the
negative files:

- ``jodie`` layout (wiki, subreddit, uci, enron, lastfm): a header line, then
  ``src, dst, t, label, features...``; destinations are shifted by ``max(src) + 1``
  (TGB treats these as bipartite), features are the columns after the fourth.
- ``weighted`` (coin, review): ``t, src, dst, weight``; string node ids numbered in order of
  first appearance (a row's source before its destination); the edge feature is
  ``log2(weight)`` with a zero weight read as 1.
- ``comment``: ``t, src, dst, num_words, score``; features ``num_words / 5000`` and ``score``.
- ``flight``: ``t, src, dst, callsign, typecode``; ``t`` a Unix time or a ``YYYY-MM-DD``
  date (read as UTC midnight); the 16 features are the characters of the callsign and type
  code padded with ``!`` to 8 each, coded as TGB codes them (digits as themselves, ``!`` as
  -1, a letter as its upper-case code point minus 35). The airport node features are not
  read.

The split is TGB's: chronological 70 / 15 / 15 by timestamp quantiles with every earlier
event in training (no held-out nodes). The negatives become ``extra['eval_negatives']``:
``{'valid': [E_valid, K], 'test': [E_test, K]}`` destination ids in the split's event order,
``-1`` where an event has fewer than ``K``. Negative files are pickles of NumPy arrays; they
are read with :func:`graphkit.datasets.numpy_pickle.load_numpy_pickle`, which runs no
pickled code.

Files come from the mirror (``$GRAPHKIT_MIRROR/tgb/<zip>``), TGB's download URL, or
``data.args.dir`` (a folder holding the zip or its extracted files); all are trusted on
first use (TGB publishes no checksums). ``data.args.layout`` reads a dataset that TGB
does not list (any folder of files named as above).
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from graphkit.datasets.dataset_spec import DatasetSpec
from graphkit.datasets.dyglib import stream_dataset
from graphkit.datasets.load_context import LoadContext
from graphkit.datasets.loaded_dataset import TEMPORAL_LINK_PREDICTION, LoadedDataset
from graphkit.datasets.trust import fetch_trusted
from graphkit.errors import DatasetError

if TYPE_CHECKING:
    import numpy as np
    from torch_geometric.data import TemporalData

TGB_URL = "https://github.com/shenyangHuang/TGB"
TGB_PAPER = "https://arxiv.org/abs/2307.01026"
# TGB's download server (tgb/utils/info.py, DATA_URL_DICT)
_SERVER = "https://object-arbutus.alliancecan.ca/swift/v1/14c95234f6cd4a21a47deafe20cce2a7/tgb"
# name -> (layout, zip file on TGB's server)
KNOWN = {
    "tgbl-wiki": ("jodie", "tgbl-wiki-v2.zip"),
    "tgbl-subreddit": ("jodie", "tgbl-subreddit.zip"),
    "tgbl-uci": ("jodie", "tgbl-uci.zip"),
    "tgbl-enron": ("jodie", "tgbl-enron.zip"),
    "tgbl-lastfm": ("jodie", "tgbl-lastfm.zip"),
    "tgbl-review": ("weighted", "tgbl-review-v2.zip"),
    "tgbl-coin": ("weighted", "tgbl-coin-v2.zip"),
    "tgbl-comment": ("comment", "tgbl-comment.zip"),
    "tgbl-flight": ("flight", "tgbl-flight-v2.zip"),
}
LAYOUTS = ("jodie", "weighted", "comment", "flight")
_ARGS = ("dir", "layout")
_NAME = re.compile(r"^[A-Za-z0-9_\-]+$")
_MAX_WORDS = 5000  # TGB's normalisation of tgbl-comment's word counts


def _files(names: list[str], name: str, where: str) -> tuple[str, str, str]:
    """(edge list, validation negatives, test negatives) among ``names``, newest version."""
    def newest(kind: str, ext: str) -> str:
        pattern = re.compile(rf"^{re.escape(name)}_{kind}(?:_v(\d+))?\.{ext}$")
        found = [(int(m.group(1) or 1), n) for n in names if (m := pattern.match(Path(n).name))]
        if not found:
            raise DatasetError(f"{where}: no {name}_{kind}[_v<k>].{ext}; a TGB link dataset holds "
                               f"{name}_edgelist.csv, {name}_val_ns.pkl and {name}_test_ns.pkl")
        return max(found)[1]
    return newest("edgelist", "csv"), newest("val_ns", "pkl"), newest("test_ns", "pkl")


def _char_codes(texts: "np.ndarray", column: str) -> "np.ndarray":
    """TGB's coding of a flight's callsign / type code: 8 characters, ``!`` padded."""
    import numpy as np

    out = np.empty((len(texts), 8), dtype=np.float32)
    for row, text in enumerate(texts):
        text = text if text else "!" * 8
        text = (text + "!" * 8)[:8] if len(text) <= 8 or column == "callsign" else "!" * 8
        for k, ch in enumerate(text):
            if ch.isdigit():
                out[row, k] = int(ch)
            elif ch == "!":
                out[row, k] = -1
            else:
                out[row, k] = ord(ch.upper()) - 35
    return out


def _integers(values, where: str, what: str, truncate: bool = False) -> "np.ndarray":
    """Whole numbers of a column; ``truncate``: fractional values cut toward zero, as TGB
    casts timestamps (``astype(int)``)."""
    import numpy as np
    import pandas as pd

    numbers = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(np.float64)
    bad = np.isnan(numbers) if truncate else np.isnan(numbers) | (numbers != np.round(numbers))
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise DatasetError(f"{where}: row {row + 2}: {what} {values[row]!r} is not "
                           f"{'a number' if truncate else 'an integer'}")
    return numbers.astype(np.int64)


def read_edges(opener: Callable[[], io.BufferedIOBase], layout: str, where: str) -> TemporalData:
    """The events of a TGB edge list in ``layout`` (see the module) as a ``TemporalData``
    with TGB's node ids (in file order; stably sorted by time if the file is not)."""
    import numpy as np
    import pandas as pd
    import torch
    from torch_geometric.data import TemporalData

    if layout not in LAYOUTS:
        raise DatasetError(f"data.args.layout {layout!r}: valid layouts are {', '.join(LAYOUTS)}")
    columns = {"jodie": 4, "weighted": 4, "comment": 5, "flight": 5}[layout]
    # string columns as categories: one Python string per distinct value, not per row
    # (tgbl-coin has 22M rows); numbers parsed by pandas, never as strings
    text = {} if layout == "jodie" else {1: "category", 2: "category"}
    if layout == "flight":
        text.update({0: "category", 3: "category", 4: "category"})
    try:
        with opener() as f:
            frame = pd.read_csv(f, header=None, skiprows=1, dtype=text, keep_default_na=False)
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as e:
        raise DatasetError(f"{where}: not a CSV file ({e})") from None
    if frame.empty:
        raise DatasetError(f"{where}: no events")
    if frame.shape[1] < columns:
        raise DatasetError(f"{where}: {frame.shape[1]} columns; the {layout} layout has at least {columns}")
    if layout == "jodie":
        src = _integers(frame[0].to_numpy(), where, "source id")
        dst = _integers(frame[1].to_numpy(), where, "destination id")
        if min(src.min(), dst.min()) < 0:
            raise DatasetError(f"{where}: negative node id")
        dst = dst + int(src.max()) + 1
        t = _integers(frame[2].to_numpy(), where, "timestamp", truncate=True)
        try:
            msg = frame.iloc[:, 4:].to_numpy(np.float32) if frame.shape[1] > 4 else np.zeros((len(frame), 1),
                                                                                             np.float32)
        except ValueError as e:
            raise DatasetError(f"{where}: feature columns must be numbers ({e})") from None
    else:
        # TGB numbers string ids in order of first appearance, a row's source before its destination
        names = pd.api.types.union_categoricals([frame[1], frame[2]]).categories
        pairs = np.stack([pd.Categorical(frame[k], categories=names).codes for k in (1, 2)], 1).ravel()
        ids, _ = pd.factorize(pairs)
        src, dst = ids[0::2].astype(np.int64), ids[1::2].astype(np.int64)
        if layout == "flight":
            times = frame[0].cat.categories.to_numpy(str)
            if all(v.isdigit() for v in times):
                values = times.astype(np.int64)
            else:
                dates = pd.to_datetime(pd.Series(times), format="%Y-%m-%d", errors="coerce", utc=True)
                if dates.isna().any():
                    bad = times[int(np.flatnonzero(dates.isna().to_numpy())[0])]
                    raise DatasetError(f"{where}: timestamp {bad!r} is neither a Unix time nor YYYY-MM-DD")
                values = ((dates - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(seconds=1)).to_numpy(np.int64)
            t = values[frame[0].cat.codes.to_numpy()]
        else:
            t = _integers(frame[0].to_numpy(), where, "timestamp", truncate=True)
        try:
            if layout == "weighted":
                w = frame[3].astype(np.float64).to_numpy()
                msg = np.log2(np.where(w == 0, 1.0, w)).astype(np.float32)[:, None]
            elif layout == "comment":
                msg = np.stack([frame[3].astype(np.float64) / _MAX_WORDS, frame[4].astype(np.float64)],
                               1).astype(np.float32)
            else:  # coded once per distinct callsign / type code
                msg = np.concatenate([_char_codes(frame[k].cat.categories.to_numpy(str), column)
                                      [frame[k].cat.codes.to_numpy()] for k, column in ((3, "callsign"),
                                                                                       (4, "typecode"))], 1)
        except ValueError as e:
            raise DatasetError(f"{where}: weights, word counts and scores must be numbers ({e})") from None
    if np.isnan(msg).any():
        raise DatasetError(f"{where}: a feature is not a number")
    order = np.argsort(t, kind="stable")
    src, dst, t, msg = (torch.as_tensor(a[order]) for a in (src, dst, t, msg))
    num_nodes = int(max(src.max(), dst.max())) + 1
    stream = TemporalData(src=src, dst=dst, t=t.double(), msg=msg, y=torch.zeros(len(order)))
    stream.x = torch.zeros(num_nodes, 1)
    return stream


def align_negatives(table: object, src, dst, t, index, num_nodes: int, where: str):
    """``[len(index), K]`` int32 destinations ranked against each event of ``index``
    (``-1`` pads), looked up in TGB's ``{(src, dst, t): destinations}`` table."""
    import numpy as np
    import torch

    if not isinstance(table, dict):
        raise DatasetError(f"{where}: expected TGB's dict of (src, dst, t) -> negative destinations, got "
                           f"{type(table).__name__}")
    s, d, tt = src[index].tolist(), dst[index].tolist(), t[index].long().tolist()
    rows = []
    for e, key in enumerate(zip(s, d, tt)):
        negs = table.get(key)
        if negs is None:
            raise DatasetError(f"{where}: no negatives for event {int(index[e])} (src {key[0]}, dst {key[1]}, "
                               f"t {key[2]}); the edge list and the negative file do not belong together")
        try:
            rows.append(np.asarray(negs, dtype=np.int64).reshape(-1))
        except (TypeError, ValueError):
            raise DatasetError(f"{where}: the negatives of event {int(index[e])} are not node ids "
                               f"({type(negs).__name__})") from None
    k = max((len(r) for r in rows), default=0)
    out = np.full((len(rows), k), -1, dtype=np.int64)
    for e, r in enumerate(rows):
        out[e, :len(r)] = r
    if out.size and (out.max() >= num_nodes or (out[out != -1] < 0).any()):
        raise DatasetError(f"{where}: a negative destination is not a node id in [0, {num_nodes})")
    return torch.as_tensor(out.astype(np.int32))


def tgb_dataset(name: str, stream: TemporalData, negatives: dict[str, object], where: dict[str, str]) -> LoadedDataset:
    """The :class:`LoadedDataset` of a TGB stream: TGB's split and its published negatives."""
    # TGB holds no node out of training: the DyGLib split with no held-out nodes is TGB's
    dataset = stream_dataset(name, stream, new_node_ratio=0.0, metric="mrr")
    split = dataset.splits[0]
    num_nodes = int(stream.x.size(0))
    dataset.extra["eval_negatives"] = {
        key: align_negatives(negatives[key], stream.src, stream.dst, stream.t, split[key], num_nodes, where[key])
        for key in ("valid", "test")
    }
    return dataset


def _read(name: str, layout: str, source: Path) -> LoadedDataset:
    from graphkit.datasets.numpy_pickle import load_numpy_pickle

    if source.is_dir():
        names = [p.name for p in source.iterdir() if p.is_file()]
        zips = [n for n in names if n.endswith(".zip")]
        if not any(n.endswith(".csv") for n in names) and zips:
            return _read(name, layout, source / sorted(zips)[-1])
        edges, val_ns, test_ns = _files(names, name, str(source))
        stream = read_edges(partial(open, source / edges, "rb"), layout, str(source / edges))
        tables = {key: load_numpy_pickle((source / member).read_bytes(), str(source / member))
                  for key, member in (("valid", val_ns), ("test", test_ns))}
        return tgb_dataset(f"tgb:{name}", stream, tables, {"valid": str(source / val_ns), "test": str(source / test_ns)})
    try:
        with zipfile.ZipFile(source) as zf:
            members = [m for m in zf.namelist() if not m.endswith("/")]
            edges, val_ns, test_ns = _files(members, name, str(source))
            stream = read_edges(partial(zf.open, edges), layout, f"{source}!{edges}")
            tables = {key: load_numpy_pickle(zf.read(member), f"{source}!{member}")
                      for key, member in (("valid", val_ns), ("test", test_ns))}
    except (zipfile.BadZipFile, zlib.error):
        raise DatasetError(f"{source}: not a valid zip archive; expected TGB's {name} zip") from None
    return tgb_dataset(f"tgb:{name}", stream, tables, {"valid": f"{source}!{val_ns}", "test": f"{source}!{test_ns}"})


def _load(ctx: LoadContext, name: str, args: dict) -> LoadedDataset:
    layout = args.get("layout") or KNOWN[name][0]
    if "dir" in args:
        folder = Path(args["dir"]).expanduser()
        if not folder.is_dir():
            raise DatasetError(f"data.args.dir {folder}: not a folder")
        return _read(name, layout, folder)
    zip_name = KNOWN[name][1]
    source = fetch_trusted(f"tgb/{zip_name}", f"{_SERVER}/{zip_name}", ctx.raw_dir.parent, ctx.mirror)
    return _read(name, layout, source)


def tgb_member(member: str, args: dict, registry) -> DatasetSpec:
    """``tgb:<name>``: a TGB ``tgbl-*`` link dataset (the mirror's ``tgb/<zip>``, TGB's server, or
    ``data.args.dir``); ``data.args.layout`` for a dataset TGB does not list."""
    from graphkit.datasets.own_data import fingerprint

    if not _NAME.match(member):
        raise DatasetError(f"data.name 'tgb:{member}': expected tgb:<name> such as tgb:tgbl-wiki")
    unknown = sorted(set(args) - set(_ARGS))
    if unknown:
        raise DatasetError(f"data.args: unknown key {unknown[0]!r} for tgb:{member}; valid keys: {', '.join(_ARGS)}")
    if "layout" in args and args["layout"] not in LAYOUTS:
        raise DatasetError(f"data.args.layout {args['layout']!r}: valid layouts are {', '.join(LAYOUTS)}")
    if member not in KNOWN and ("dir" not in args or "layout" not in args):
        raise DatasetError(f"tgb:{member}: not a TGB link dataset ({', '.join(KNOWN)}); for your own files in "
                           f"TGB's layout give data.args.dir and data.args.layout ({', '.join(LAYOUTS)})")
    files: list[Path] = []
    if "dir" in args:
        folder = Path(args["dir"]).expanduser()
        files = sorted(p for p in folder.iterdir() if p.is_file() and p.name.startswith(member)) \
            if folder.is_dir() else []
        if not files:
            raise DatasetError(f"data.args.dir {folder}: no {member}_* files or zip there")
    layout = args.get("layout") or KNOWN[member][0]
    return DatasetSpec(
        name=f"tgb:{member}", task=TEMPORAL_LINK_PREDICTION, metric="mrr",
        source="Temporal Graph Benchmark", citation=TGB_PAPER,
        description=f"TGB link dataset {member} ({layout} layout, published negatives, MRR; {TGB_URL})",
        files=(), loader=partial(_load, name=member, args=dict(args)), integrity="trust-on-first-use",
        fingerprint=fingerprint(files, args) if args else None,
    )
