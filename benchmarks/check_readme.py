"""Runs the README's commands as written and compares the numbers it shows.

    GRAPHKIT_MIRROR=... python benchmarks/check_readme.py [--rows quickstart,gcn_cora,heuristics_cora,fastrp_blogcatalog,sparsify_mutag]

`quickstart` runs the README's quickstart block line by line and then its Python snippet,
with `runs/gcn-cora/<timestamp>` replaced by the run the block's first `graphkit train`
wrote; it checks that each exits 0. The other rows are the README's results rows: each
command is run as a fresh `python -m graphkit ...` process from the repository root,
exactly as the README shows it, except that run directories and embeddings go to a
temporary folder (`--runs-root`, `--out`, `--run-dir`) so the checkout stays clean. The
`sparsify_mutag` row is the TU MUTAG paragraph of docs/sparsify.md (the dense run, then the
sparsify command, with `RUN` the dense run). A number passes when it is within its
tolerance of the page's, in points:

    tolerance = max(2 * std / sqrt(runs), floor)

twice the standard error of the row's spread over its runs, and at least the row's `floor`
(a fresh clone draws the same seeds but may run other kernels). Every number is printed
with its tolerance and written to the JSON. The page's row and command are looked up too: a
row whose numbers or command changed is reported, not silently compared with stale values.
(The two set-up commands are not run: they create a virtual environment.) Writes
benchmarks/results/check_readme.json; exits 1 on a mismatch.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GRAPHKIT = [sys.executable, "-m", "graphkit"]

# name -> README command(s) ({tmp} is the scratch folder), README row text, and
# expected (value, std over runs, runs) in percent.
ROWS = {
    "gcn_cora": {
        "commands": [["train", "configs/gcn/cora.yaml", "--seeds", "0,1,2,3,4", "--runs-root", "{tmp}/runs"]],
        "readme": "82.08 ± 0.47",
        "readme_command": "graphkit train configs/gcn/cora.yaml --seeds 0,1,2,3,4",
        "expected": {"test accuracy": (82.08, 0.47, 5)},
        "floor": 0.5,
    },
    "heuristics_cora": {
        "commands": [["lp", "heuristics", "configs/heuristics/cora.yaml", "--runs-root", "{tmp}/runs"]],
        "readme": "33.88 ± 1.26",
        "readme_command": "graphkit lp heuristics configs/heuristics/cora.yaml",
        "expected": {"cn hits@100": (33.88, 1.26, 5), "aa hits@100": (33.88, 1.26, 5), "ra hits@100": (33.88, 1.26, 5)},
        "floor": 0.5,
    },
    "fastrp_blogcatalog": {
        "commands": [
            ["embed", "fastrp", "--dataset", "blogcatalog", "--preset", "paper", "--out", "{tmp}/blog.npy",
             "--runs-root", "{tmp}/runs"],
            ["embed", "evaluate", "--embedding", "{tmp}/blog.npy", "--dataset", "blogcatalog", "--preset", "paper",
             "--ratios", "0.1,0.5,0.9", "--shuffles", "5", "--quiet"],
        ],
        "readme": "37.31/22.83, 40.64/27.52, 42.10/29.37",
        "readme_command": "graphkit embed fastrp --dataset blogcatalog --preset paper --out blog.npy && graphkit embed "
                          "evaluate --embedding blog.npy --dataset blogcatalog --preset paper --ratios 0.1,0.5,0.9 "
                          "--shuffles 5",
        # std: the spread over the 5 shuffles in benchmarks/results/fastrp_quality.json
        "expected": {"micro-F1 10%": (37.31, 0.49, 5), "macro-F1 10%": (22.83, 0.62, 5),
                     "micro-F1 50%": (40.64, 0.38, 5), "macro-F1 50%": (27.52, 0.45, 5),
                     "micro-F1 90%": (42.10, 1.08, 5), "macro-F1 90%": (29.37, 1.19, 5)},
        # the projection seed is the command's default (0); other kernels may move the F1s
        "floor": 1.0,
    },
    "sparsify_mutag": {
        "page": "docs/sparsify.md",
        "commands": [
            ["train", "configs/gps/mutag.yaml", "--threads", "1", "data.splits=[0]", "--run-dir", "{tmp}/dense",
             "--quiet"],
            ["sparsify", "{tmp}/dense", "--config", "configs/sparsify/mutag.yaml", "--out", "{tmp}/sparse", "--quiet"],
        ],
        "readme": "magnitude 0.8772 ± 0.0304 (0.8421, 0.8947, 0.8947) at 0.696×; random 0.8772 ± 0.0304 (0.8947,\n"
                  "0.8947, 0.8421) at 0.657×",
        "readme_command": "`graphkit sparsify RUN --config configs/sparsify/mutag.yaml`",
        "expected": {"dense test accuracy": (89.47, 0.0, 1), "learned test accuracy": (89.47, 0.0, 3),
                     "magnitude test accuracy": (87.72, 3.04, 3), "random test accuracy": (87.72, 3.04, 3)},
        # one of the 19 test graphs on one of the 3 seeds (5.26 / 3 points): the command is
        # deterministic on one machine and torch build, another CPU may flip a graph
        "floor": 1.76,
    },
}


def _measured(name: str, tmp: Path) -> dict[str, float]:
    if name == "gcn_cora":
        (results,) = (tmp / "runs").glob("*/*/results.json")
        return {"test accuracy": 100 * json.loads(results.read_text())["test"]["accuracy"]["mean"]}
    if name == "heuristics_cora":
        (results,) = (tmp / "runs").glob("*/*/results.json")
        test = json.loads(results.read_text())["test"]
        return {f"{h} hits@100": 100 * test[h]["hits@100"]["mean"] for h in ("cn", "aa", "ra")}
    if name == "sparsify_mutag":
        results = json.loads((tmp / "sparse" / "results.json").read_text())
        out = {"dense test accuracy": 100 * results["dense"]["test"]["accuracy"]}
        for method, summary in results["summary"].items():
            out[f"{method} test accuracy"] = 100 * summary["test_accuracy"]["mean"]
        return out
    report = json.loads((tmp / "results.json").read_text())
    out = {}
    for row in report["results"]:
        pct = f"{row['train_ratio']:.0%}"
        out[f"micro-F1 {pct}"] = 100 * row["micro_f1"]["mean"]
        out[f"macro-F1 {pct}"] = 100 * row["macro_f1"]["mean"]
    return out


RUN_PLACEHOLDER = "runs/gcn-cora/<timestamp>"


def _block(readme: str, heading: str, language: str) -> str:
    """The first fenced ``language`` block after ``heading``."""
    section = readme[readme.index(heading):]
    match = re.search(rf"```{language}\n(.*?)```", section, re.S)
    if match is None:
        raise SystemExit(f"README: no ```{language} block under {heading!r}")
    return match.group(1)


def run_quickstart(readme: str) -> dict:
    """Runs the README's quickstart block as written, then its Python snippet, in a scratch folder."""
    entry: dict = {"commands": []}
    with tempfile.TemporaryDirectory() as tmp:
        runs_root, run_dir = Path(tmp) / "runs", None
        start = time.perf_counter()
        for line in _block(readme, "## Quickstart", "bash").splitlines():
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            argv = shlex.split(line)
            if argv[0] != "graphkit":
                raise SystemExit(f"quickstart: not a graphkit command: {line}")
            argv = argv[1:]
            if RUN_PLACEHOLDER in line:
                if run_dir is None:
                    raise SystemExit(f"quickstart: {line!r} needs a run, but no train command ran before it")
                argv = [str(run_dir) if a == RUN_PLACEHOLDER else a for a in argv]
            elif argv[0] == "train":
                argv += ["--runs-root", str(runs_root)]
            entry["commands"].append("graphkit " + " ".join(argv))
            done = subprocess.run(GRAPHKIT + argv, cwd=ROOT, capture_output=True, text=True, env=os.environ)
            if done.returncode != 0:
                raise SystemExit(f"quickstart: graphkit {' '.join(argv)} failed:\n{done.stderr}")
            print(f"quickstart           ok  graphkit {' '.join(argv)}", flush=True)
            if argv[0] == "train" and run_dir is None:
                (run_dir,) = runs_root.glob("gcn-cora/*")
        snippet = _block(readme, "## Quickstart", "python").replace(RUN_PLACEHOLDER, str(run_dir))
        done = subprocess.run([sys.executable, "-c", snippet], cwd=ROOT, capture_output=True, text=True,
                              env=os.environ)
        if done.returncode != 0:
            raise SystemExit(f"quickstart: the Python snippet failed:\n{done.stderr}")
        print("quickstart           ok  the load_run / load_model snippet", flush=True)
        entry["commands"].append("python -c <the README's load_run snippet>")
        entry["wall_s"] = time.perf_counter() - start
    entry["ok"] = True
    return entry


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default=",".join(["quickstart", *ROWS]))
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "check_readme.json")
    args = parser.parse_args()
    readme = (ROOT / "README.md").read_text()
    report, failed = {"rows": {}, "tolerance_rule": "max(2 * std / sqrt(runs), floor) points"}, False
    for name in args.rows.split(","):
        if name == "quickstart":
            report["rows"][name] = run_quickstart(readme)
            continue
        row = ROWS[name]
        page = (ROOT / row["page"]).read_text() if "page" in row else readme
        entry: dict = {"page": row.get("page", "README.md"), "readme_row_found": row["readme"] in page,
                       "readme_command_found": row["readme_command"] in page, "commands": []}
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            for command in row["commands"]:
                argv = [a.format(tmp=tmp) for a in command]
                entry["commands"].append("graphkit " + " ".join(argv))
                done = subprocess.run(GRAPHKIT + argv, cwd=ROOT, capture_output=True, text=True, env=os.environ)
                if done.returncode != 0:
                    raise SystemExit(f"{name}: graphkit {' '.join(argv)} failed:\n{done.stderr}")
            entry["wall_s"] = time.perf_counter() - start
            measured = _measured(name, Path(tmp))
        checks = {}
        for key, (value, std, runs) in row["expected"].items():
            tolerance = max(2 * std / math.sqrt(runs), row["floor"])
            ok = abs(measured[key] - value) <= tolerance
            failed |= not ok
            checks[key] = {"readme": value, "measured": round(measured[key], 2), "tolerance": round(tolerance, 2),
                           "std": std, "runs": runs, "floor": row["floor"], "ok": ok}
            print(f"{name:20} {key:24} page {value:6.2f}  measured {measured[key]:6.2f}  "
                  f"gap {abs(measured[key] - value):.2f}  tolerance {tolerance:.2f} = max(2 x {std:.2f} / "
                  f"sqrt({runs}), floor {row['floor']:.2f})  {'ok' if ok else 'MISMATCH'}", flush=True)
        if not entry["readme_row_found"]:
            print(f"{name}: {entry['page']} no longer shows {row['readme']!r}; update ROWS", flush=True)
            failed = True
        if not entry["readme_command_found"]:
            print(f"{name}: {entry['page']} no longer shows the command {row['readme_command']!r}; update ROWS",
                  flush=True)
            failed = True
        entry["checks"] = checks
        report["rows"][name] = entry
    report["all_ok"] = not failed
    if args.out.exists():  # a run of some rows keeps the others' last results
        previous = json.loads(args.out.read_text()).get("rows", {})
        report["rows"] = {**{k: v for k, v in previous.items() if k not in report["rows"]}, **report["rows"]}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
