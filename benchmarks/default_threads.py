"""Default CPU threads against `--threads 1`: GCN on Cora and GINE on ZINC (one epoch).

    GRAPHKIT_MIRROR=... python benchmarks/default_threads.py

Each variant is a fresh `graphkit train` process with OMP_NUM_THREADS unset (as a new
user runs it), timed end to end:

- ``default``: no --threads (graphkit's default: OMP_WAIT_POLICY=PASSIVE set by the CLI,
  threads from the step size, see graphkit/trainers/cpu_threads.py);
- ``threads1``: --threads 1;
- ``threads_all_passive``: --threads <torch's default> with the CLI's passive wait policy;
- ``old_default``: what the default was before (issue 12): torch loaded before the CLI,
  so libgomp keeps its spinning wait policy, and torch's default thread count.

Target (issue 12): the default is never several times slower than --threads 1. Writes
benchmarks/results/default_threads.json.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WORKLOADS = {
    "gcn_cora": ["configs/gcn/cora.yaml"],
    "gine_zinc_1epoch": ["configs/gine/zinc.yaml", "trainer.epochs=1"],
}
_OLD = ("import sys, torch\n"  # torch first: libgomp reads its (default, spinning) wait policy now
        "from graphkit.cli.main import main\n"
        "sys.exit(main(sys.argv[1:] + ['--threads', str(torch.get_num_threads())]))\n")


def _run(argv: list[str], env: dict) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        done = subprocess.run([*argv, "--run-dir", f"{tmp}/run", "--quiet"], env=env, capture_output=True, text=True)
        wall = time.perf_counter() - start
        if done.returncode != 0:
            raise SystemExit(done.stderr)
        results = json.loads(Path(f"{tmp}/run/results.json").read_text())
    metric = results["metric"]
    return {"wall_s": wall, "train_wall_s": results["wall_seconds"], "metric": metric,
            "test": results["test"][metric]["mean"]}


def main() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_NUM_THREADS", "OMP_WAIT_POLICY")}
    probe = subprocess.run([sys.executable, "-c", "import torch; print(torch.get_num_threads())"], env=env,
                           capture_output=True, text=True, check=True)
    torch_default = int(probe.stdout)
    cli = [sys.executable, "-m", "graphkit", "train"]
    report = {"torch_default_threads": torch_default, "cores": len(os.sched_getaffinity(0)),
              "load_avg_at_start": os.getloadavg(), "workloads": {},
              "note": "2-core machine shared with other jobs; one run per variant"}
    for name, args in WORKLOADS.items():
        variants = {
            "default": cli + args,
            "threads1": cli + args + ["--threads", "1"],
            "threads_all_passive": cli + args + ["--threads", str(torch_default)],
            "old_default": [sys.executable, "-c", _OLD, "train"] + args,
        }
        rows = {}
        for variant, argv in variants.items():
            rows[variant] = _run(argv, env)
            print(f"{name} {variant}: {rows[variant]['wall_s']:.1f}s wall, test {rows[variant]['metric']} "
                  f"{rows[variant]['test']:.4f}", flush=True)
        rows["default_over_threads1"] = rows["default"]["wall_s"] / rows["threads1"]["wall_s"]
        rows["old_default_over_threads1"] = rows["old_default"]["wall_s"] / rows["threads1"]["wall_s"]
        report["workloads"][name] = rows
    out = Path(__file__).parent / "results" / "default_threads.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
