"""Same-seed behaviour check: run fixed tiny-budget cases through the CLI and compare numbers.

Issue 29 (composition root, plugins, one GPS block) must change no behaviour: same-seed runs
before and after give identical val/test numbers. This script runs each case below through
``python -m graphkit ...`` in a subprocess whose working directory and ``PYTHONPATH`` are
``--tree`` (default: the repository this file lives in), so the same script measures any
checkout. It uses only commands, flags and config keys that exist in fc9c91c (README,
``graphkit <cmd> --help``, ``configs/``) and collects, from each run's ``results.json`` and the
zeroshot / sparsify / embed / eval outputs, every val/test number at full precision, per seed
(timings, paths and latencies are left out: they differ run to run by nature).

Record a baseline on the pre-refactor tree, then compare a later tree against it::

    OMP_NUM_THREADS=1 python benchmarks/behaviour_equality.py --tree /work/wt/base \\
        --out benchmarks/results/behaviour_baseline_fc9c91c.json
    OMP_NUM_THREADS=1 python benchmarks/behaviour_equality.py \\
        --compare benchmarks/results/behaviour_baseline_fc9c91c.json [--cases gcn_cora,gin_mutag]

``--compare`` reports each case as identical or different (exact float equality; both values
printed on a difference) and exits 1 on any difference or failed case. Numbers present in the
baseline must be present and equal; numbers only in the new run are listed, not failed.

Environment: ``GRAPHKIT_MIRROR`` (default ``<repo>/../shared/datasets``), ``GRAPHKIT_DATA``
(default ``/tmp/gk-behaviour-data``; processed datasets and GraphCLIP text embeddings are
cached there, so the first run of a data root is slower: encoding Cora's texts on one CPU
thread takes ~4 min once). Every subprocess runs with ``OMP_NUM_THREADS=1`` and
``--threads 1`` where the command has it. The numbers are bit-exact only on the same machine,
torch build and thread count as the baseline.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

REPO = Path(__file__).resolve().parents[1]

# Absolute tolerance per case for --compare; 0.0 = exact equality. Every case was identical
# (all numbers, exact) over two full runs of fc9c91c on the same machine, so none needs one.
# The second GraphCLIP run read Cora's text embeddings and pairs from the data root's cache:
# a rerun on a warm data root checks the model and training, not the text encoder.
TOLERANCE: dict[str, float] = {}

TRAIN_FLAGS = ["--threads", "1", "--quiet", "tracking.wandb.mode=disabled"]


class CaseError(RuntimeError):
    """A command of a case failed."""


class Context:
    """Where a case runs: the tree, its environment and a scratch directory."""

    def __init__(self, tree: Path, work: Path, env: dict[str, str], verbose: bool) -> None:
        self.tree, self.work, self.env, self.verbose = tree, work, env, verbose

    def graphkit(self, *args: str) -> None:
        cmd = [sys.executable, "-m", "graphkit", *args]
        if self.verbose:
            print("  $", " ".join(cmd), flush=True)
        proc = subprocess.run(cmd, cwd=self.tree, env=self.env, capture_output=True, text=True)
        if proc.returncode != 0:
            tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-15:])
            raise CaseError(f"exit {proc.returncode}: {' '.join(args)}\n{tail}")

    def train(self, name: str, config: str, *overrides: str, seeds: str = "0") -> Path:
        run = self.work / name
        self.graphkit("train", config, "--run-dir", str(run), "--seeds", seeds, *TRAIN_FLAGS, *overrides)
        return run


def _load(path: Path) -> Any:
    return json.loads(path.read_text())


def _metrics_of(results: dict) -> dict:
    """The val/test numbers of a ``graphkit train``/``pretrain`` results.json, per seed and split."""
    out = {"val": results["val"], "test": results["test"], "params": results.get("params")}
    out["runs"] = {
        f"seed{r['seed']}-split{r['split']}": {
            "best_epoch": r.get("best_epoch"), "epochs_run": r.get("epochs_run"),
            "val": r["val"], "test": r["test"]}
        for r in results["runs"]}
    return out


def _train_case(config: str, *overrides: str, seeds: str = "0", eval_run: bool = False
                ) -> Callable[[Context], dict]:
    def case(ctx: Context) -> dict:
        run = ctx.train("run", config, *overrides, seeds=seeds)
        out = {"results": _metrics_of(_load(run / "results.json"))}
        if eval_run:  # reload every best checkpoint through load_run (`graphkit eval`)
            ctx.graphkit("eval", str(run), "--threads", "1", "--out", str(ctx.work / "eval.json"))
            out["eval"] = _metrics_of(_load(ctx.work / "eval.json"))
        return out
    return case


def _graphclip(ctx: Context) -> dict:
    # Pretrain on Cora's own texts (the registered tag:cora), 1 epoch on 128 centres and 64
    # held-out nodes: arXiv-2023's title encoding alone takes ~10 min on one thread. Cora's
    # text embeddings are cached under $GRAPHKIT_DATA/text-embeddings after the first run.
    run = ctx.work / "pretrain"
    ctx.graphkit("pretrain", "configs/graphclip/arxiv_2023.yaml", "--run-dir", str(run), "--seeds", "0",
                 *TRAIN_FLAGS, "data.name=tag:cora", "data.sources=['tag:cora']", "data.batch_size=32",
                 "task.max_centres=128", "task.heldout=64", "trainer.epochs=1")
    zs = ctx.work / "zeroshot.json"
    ctx.graphkit("zeroshot", str(run), "--dataset", "tag:cora", "--split", "test", "--baselines",
                 "--quiet", "--out", str(zs))
    z = _load(zs)
    return {"pretrain": _metrics_of(_load(run / "results.json")),
            "zeroshot": {"num_nodes": z["num_nodes"], "class_texts": z["class_texts"],
                         "methods": z["methods"]}}


def _sparsify(ctx: Context) -> dict:
    # A tiny dense GPS run on fold 0, then every method of configs/sparsify/mutag.yaml (learned,
    # magnitude, random) on seed 0 with 2 + 2 fine-tuning epochs; latency is timed, not compared.
    dense = ctx.train("dense", "configs/gps/mutag.yaml", "trainer.epochs=10", "data.splits=[0]")
    out = ctx.work / "sparse"
    ctx.graphkit("sparsify", str(dense), "--config", "configs/sparsify/mutag.yaml", "--out", str(out),
                 "--quiet", "seeds=[0]", "sparsify.baseline_seeds=1", "sparsify.gate_epochs=2",
                 "sparsify.fixed_epochs=2", "sparsify.latency_repeats=1", "sparsify.latency_graphs=8")
    s = _load(out / "results.json")
    runs = {}
    for r in s["runs"]:
        runs[f"{r['method']}-seed{r['seed']}"] = {
            k: r.get(k) for k in ("finetune_epoch", "val", "test", "flops", "flops_ratio",
                                  "calibration_flops_ratio", "params", "nonzero_params",
                                  "weight_sparsity", "compact_max_abs_diff")}
    ctx.graphkit("eval", str(out), "--threads", "1", "--out", str(ctx.work / "eval.json"))
    dense_d = s["dense"]
    return {"dense_train": _metrics_of(_load(dense / "results.json")),
            "dense": {k: dense_d.get(k) for k in ("val", "test", "flops", "params", "nonzero_params")},
            "runs": runs,
            "compact_eval": _metrics_of(_load(ctx.work / "eval.json"))}


def _fastrp(ctx: Context) -> dict:
    emb = ctx.work / "emb.npy"
    ctx.graphkit("embed", "fastrp", "--dataset", "blogcatalog", "--seed", "0", "--out", str(emb))
    ctx.graphkit("embed", "evaluate", "--embedding", str(emb), "--dataset", "blogcatalog",
                 "--ratios", "0.1,0.5", "--shuffles", "2", "--jobs", "1", "--seed", "0", "--quiet",
                 "--out-dir", str(ctx.work))
    import numpy as np

    arr = np.load(emb)
    res = _load(ctx.work / "results.json")
    return {"embedding": {"shape": list(arr.shape), "dtype": str(arr.dtype),
                          "sha256": hashlib.sha256(np.ascontiguousarray(arr).tobytes()).hexdigest()},
            "evaluate": {f"train{r['train_ratio']}": {k: r[k] for k in ("micro_f1", "macro_f1")}
                         for r in res["results"]}}


CASES: dict[str, Callable[[Context], dict]] = {
    "gcn_cora": _train_case("configs/gcn/cora.yaml", "trainer.epochs=50", seeds="0,1", eval_run=True),
    "gin_mutag": _train_case("configs/gin/mutag.yaml", "trainer.epochs=20", "data.splits=[0,1]", seeds="0,1"),
    "gps_zinc_2ep": _train_case("configs/gps/zinc.yaml", "trainer.epochs=2"),
    "gps_mamba_mutag": _train_case("configs/gps/mutag.yaml", "model.global_model=mamba", "trainer.epochs=3",
                                   "data.splits=[0]"),
    "gmn_mutag": _train_case("configs/graph_mamba/mutag.yaml", "trainer.epochs=3", "data.splits=[0]"),
    "gsm_zinc_2ep": _train_case("configs/gsm/zinc.yaml", "trainer.epochs=2"),
    "ncn_cora": _train_case("configs/ncn/cora.yaml", "trainer.epochs=5", seeds="0,1"),
    "graphclip_pretrain_zeroshot_cora": _graphclip,
    "sparsify_mutag": _sparsify,
    "fastrp_blogcatalog": _fastrp,
}


def _flatten(obj: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(obj, dict):
        out: dict[str, Any] = {}
        for k, v in obj.items():
            out.update(_flatten(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    if isinstance(obj, list):
        out = {}
        for i, v in enumerate(obj):
            out.update(_flatten(v, f"{prefix}[{i}]"))
        return out
    return {prefix: obj}


def _equal(a: Any, b: Any, tol: float) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, bool) or isinstance(b, bool) or not isinstance(a, (int, float)) \
            or not isinstance(b, (int, float)):
        return a == b
    return a == b if tol == 0.0 else abs(a - b) <= tol


def compare_case(name: str, base: dict, new: dict, tol: float = 0.0) -> list[str]:
    """Differences of one case (empty: identical); paths only in ``new`` are not differences."""
    if "error" in base:
        return [f"baseline has no numbers: {base['error'].splitlines()[0]}"]
    if "error" in new:
        return [f"run failed: {new['error']}"]
    fb, fn = _flatten(base), _flatten(new)
    diffs = []
    for path, bv in fb.items():
        if path not in fn:
            diffs.append(f"{path}: missing (baseline {bv!r})")
        elif not _equal(bv, fn[path], tol):
            diffs.append(f"{path}: baseline {bv!r} != now {fn[path]!r}")
    return diffs


def run_cases(names: list[str], tree: Path, env: dict[str, str], work_root: Path, verbose: bool = False
              ) -> tuple[dict, dict]:
    results, seconds = {}, {}
    work_root.mkdir(parents=True, exist_ok=True)
    for i, name in enumerate(names, 1):
        work = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=work_root))
        t0 = time.perf_counter()
        try:
            results[name] = CASES[name](Context(tree, work, env, verbose))
            status = "ok"
        except (CaseError, OSError, KeyError, ValueError) as exc:
            results[name] = {"error": f"{type(exc).__name__}: {exc}"}
            status = "FAILED"
        seconds[name] = round(time.perf_counter() - t0, 1)
        print(f"[{i}/{len(names)}] {name}: {status} in {seconds[name]:.1f} s", flush=True)
        if status != "ok":
            print("  " + results[name]["error"].replace("\n", "\n  "), flush=True)
    return results, seconds


def _env(args: argparse.Namespace) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(args.tree)
    env["OMP_NUM_THREADS"] = "1"
    env.setdefault("MKL_NUM_THREADS", "1")
    env.setdefault("WANDB_SILENT", "true")
    env.setdefault("WANDB_MODE", "disabled")
    env.setdefault("GRAPHKIT_MIRROR", str(REPO.parent / "shared" / "datasets"))
    env.setdefault("GRAPHKIT_DATA", "/tmp/gk-behaviour-data")
    return env


def _git_head(tree: Path) -> str | None:
    proc = subprocess.run(["git", "rev-parse", "HEAD"], cwd=tree, capture_output=True, text=True)
    return (proc.stdout.strip() or None) if proc.returncode == 0 else None


def cpu_model() -> str:
    """The processor's model name: exact float equality holds on the same kind of CPU only."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    import platform

    return platform.processor() or platform.machine()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tree", type=Path, default=REPO, help="repository to run (cwd and PYTHONPATH)")
    p.add_argument("--cases", default=None,
                   help=f"comma-separated subset of: {','.join(CASES)} (default: all; with --compare, "
                        "all cases of the baseline)")
    p.add_argument("--out", type=Path, default=None, help="write the collected numbers here")
    p.add_argument("--compare", type=Path, default=None, help="baseline JSON to compare against")
    p.add_argument("--work", type=Path, default=None,
                   help="scratch directory for run dirs (default: a new one under /tmp/gk-behaviour-runs)")
    p.add_argument("--verbose", action="store_true", help="print each command")
    args = p.parse_args(argv)
    args.tree = args.tree.resolve()

    baseline = _load(args.compare) if args.compare else None
    if args.cases:
        names = [c.strip() for c in args.cases.split(",") if c.strip()]
    elif baseline is not None:
        names = [c for c in CASES if c in baseline]
    else:
        names = list(CASES)
    unknown = [n for n in names if n not in CASES]
    if unknown:
        p.error(f"unknown case(s) {', '.join(unknown)}; valid: {', '.join(CASES)}")

    label = args.tree.name
    work = args.work or Path(tempfile.mkdtemp(prefix=f"{label}-",
                                              dir=_mkdir(Path("/tmp/gk-behaviour-runs"))))
    print(f"tree {args.tree} (HEAD {_git_head(args.tree)}), runs under {work}", flush=True)
    results, seconds = run_cases(names, args.tree, _env(args), work, args.verbose)

    if args.out:
        doc = dict(results)
        doc["_meta"] = {"tree_head": _git_head(args.tree), "python": sys.version.split()[0],
                        "cpu": cpu_model(), "seconds": seconds, "cases": names}
        try:
            import torch

            doc["_meta"]["torch"] = torch.__version__
        except ImportError:
            pass
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(doc, indent=1, sort_keys=False) + "\n")
        print(f"wrote {args.out}")

    failed = [n for n in names if "error" in results[n]]
    if baseline is None:
        return 1 if failed else 0
    bad = 0
    for name in names:
        if name not in baseline:
            print(f"{name}: not in the baseline")
            bad += 1
            continue
        tol = TOLERANCE.get(name, 0.0)
        diffs = compare_case(name, baseline[name], results[name], tol)
        extra = sorted(set(_flatten(results[name])) - set(_flatten(baseline[name])))
        how = "exact" if tol == 0.0 else f"tolerance {tol:g}"
        if diffs:
            bad += 1
            print(f"{name}: DIFFERENT ({len(diffs)} of {len(_flatten(baseline[name]))} numbers, {how})")
            for d in diffs[:40]:
                print(f"  {d}")
            if len(diffs) > 40:
                print(f"  ... {len(diffs) - 40} more")
        else:
            print(f"{name}: identical ({len(_flatten(baseline[name]))} numbers, {how})")
        if extra and "error" not in results[name]:
            print(f"  note: {len(extra)} numbers not in the baseline (not compared), e.g. {extra[0]}")
    return 1 if bad else 0


def _mkdir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


if __name__ == "__main__":
    sys.exit(main())
