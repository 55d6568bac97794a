"""graphkit's TGB reader and MRR against TGB's own code (py-tgb), on generated files.

TGB's files are not in the offline mirror, so parity is checked on files written here in
each of TGB's edge-list layouts (random string / integer ids, repeated ids, zero weights,
empty and over-long flight codes, fractional JODIE timestamps): graphkit's
``graphkit.datasets.tgb.read_edges`` must give the node ids, timestamps and features that
TGB's ``tgb.utils.pre_process`` parsers give (``load_edgelist_wiki``,
``csv_to_pd_data_sc``, ``csv_to_pd_data_rc``, ``csv_to_pd_data``), and
``graphkit.temporal.mean_reciprocal_rank`` the MRR of TGB's ``Evaluator`` (called once per
positive, as TGB's examples call it) on scores with many ties.

    pip install --no-deps py-tgb==2.3.0    # TGB's package, only for this check
    python benchmarks/tgb_parity.py --out benchmarks/results/tgb_parity.json
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
from pathlib import Path

import numpy as np
import torch

from graphkit.datasets.tgb import read_edges
from graphkit.temporal import mean_reciprocal_rank


def _write(path: Path, header: str, rows: list[tuple]) -> Path:
    path.write_text(header + "\n" + "".join(",".join(map(str, r)) + "\n" for r in rows))
    return path


def _files(folder: Path, events: int, rng: random.Random) -> dict[str, Path]:
    ids = [f"0x{rng.randrange(16**6):06x}" for _ in range(max(4, events // 5))]
    codes = ["AAL123", "", "UA9", "DLH4AB", "N12345", "B738", "A320", "TOOLONGCODE"]
    return {
        "weighted": _write(folder / "weighted.csv", "time,src,dst,weight",
                           [(1000 + 3 * k, rng.choice(ids), rng.choice(ids), rng.choice([0, 1.5, 800.0, 3]))
                            for k in range(events)]),
        "comment": _write(folder / "comment.csv", "ts,src,dst,num_words,score",
                          [(1000 + 3 * k, rng.choice(ids), rng.choice(ids), rng.randrange(1, 400),
                            rng.randrange(-5, 50)) for k in range(events)]),
        "flight": _write(folder / "flight.csv", "timestamp,src,dst,callsign,typecode",
                         [(1_600_000_000 + 8640 * k, rng.choice(ids), rng.choice(ids), rng.choice(codes[:5]),
                           rng.choice(codes[4:] + [""])) for k in range(events)]),
        "jodie": _write(folder / "jodie.csv", "user_id,item_id,timestamp,state_label,a,b",
                        [(rng.randrange(50), rng.randrange(30), round(k * 2.5, 1), 0, rng.random(), rng.random())
                         for k in range(events)]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=2000, help="events per generated file")
    parser.add_argument("--out", type=Path, default=None, help="results JSON")
    args = parser.parse_args()
    try:
        from tgb.linkproppred.evaluate import Evaluator
        from tgb.utils import pre_process
        import importlib.metadata as metadata
        version = metadata.version("py-tgb")
    except ImportError as e:
        raise SystemExit(f"needs TGB's package: pip install --no-deps py-tgb==2.3.0 ({e})") from None

    parsers = {"weighted": pre_process.csv_to_pd_data_sc, "comment": pre_process.csv_to_pd_data_rc,
               "flight": pre_process.csv_to_pd_data, "jodie": pre_process.load_edgelist_wiki}
    results: dict = {"py_tgb": version, "events": args.events, "layouts": {}}
    with tempfile.TemporaryDirectory() as tmp:
        for layout, path in _files(Path(tmp), args.events, random.Random(0)).items():
            frame, feat, _ = parsers[layout](str(path))
            ours = read_edges(lambda p=path: open(p, "rb"), layout, str(path))
            if layout == "weighted":
                theirs_feat = np.asarray(frame.w, dtype=np.float32)[:, None]
            elif layout == "comment":  # TGB's feature block holds the word count; the score is its weight
                theirs_feat = np.stack([feat[:, 0], np.asarray(frame.w)], 1).astype(np.float32)
            else:
                theirs_feat = np.asarray(feat, dtype=np.float32)
            same = {
                "src": bool((np.asarray(frame.u, int) == ours.src.numpy()).all()),
                "dst": bool((np.asarray(frame.i, int) == ours.dst.numpy()).all()),
                "t": bool((np.asarray(frame.ts).astype(int) == ours.t.numpy().astype(int)).all()),
                "features": bool(np.allclose(theirs_feat, ours.msg.numpy())),
            }
            results["layouts"][layout] = {"nodes": int(ours.x.size(0)), **same}
            print(f"{layout:9s} nodes {ours.x.size(0):5d}  " + "  ".join(f"{k} {'equal' if v else 'DIFFER'}"
                                                                       for k, v in same.items()))
    evaluator = Evaluator(name="tgbl-wiki")
    g = np.random.default_rng(0)
    pos = g.integers(0, 6, 500).astype(np.float32)  # few distinct values: many ties
    neg = g.integers(0, 6, (500, 99)).astype(np.float32)
    theirs = float(np.mean([evaluator.eval({"y_pred_pos": pos[i:i + 1], "y_pred_neg": neg[i:i + 1],
                                            "eval_metric": ["mrr"]})["mrr"] for i in range(len(pos))]))
    ours = mean_reciprocal_rank(torch.as_tensor(pos), torch.as_tensor(neg))
    results["mrr"] = {"tgb": theirs, "graphkit": ours, "abs_diff": abs(theirs - ours)}
    print(f"MRR on 500 positives x 99 tied negatives: TGB {theirs:.6f}  graphkit {ours:.6f}")
    if args.out:
        args.out.write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
