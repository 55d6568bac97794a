"""The GraphCLIP first five minutes: pretrain -> zeroshot -> fewshot with configs/graphclip/quick.yaml
from a fresh data root, on one thread, as a new user runs them (target: <= 5 min in all).

    OMP_NUM_THREADS=1 python benchmarks/graphclip_quick.py [--out-dir /tmp/graphclip-quick]

Runs the three commands of docs/graphclip.md as subprocesses (stdout and stderr to log files,
as under nohup) with GRAPHKIT_DATA set to an empty folder (the dataset is copied from
GRAPHKIT_MIRROR or downloaded, nothing is cached), and records each one's wall time and CPU
time (user + sys of the process: on an idle core the wall time is about this), the load
average before and after, and the results. Writes benchmarks/results/graphclip_quick.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
TARGET_SECONDS = 300


def _commands(run: Path) -> list[tuple[str, list[str]]]:
    return [
        ("pretrain", ["pretrain", "configs/graphclip/quick.yaml", "--threads", "1", "--run-dir", str(run)]),
        ("zeroshot", ["zeroshot", str(run), "--dataset", "tag:cora", "--baselines"]),
        ("fewshot", ["fewshot", str(run), "--dataset", "tag:cora", "--shots", "1,5", "--seeds", "0,1",
                     "--epochs", "20"]),
    ]


def _cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, default=Path("/tmp/graphclip-quick"),
                        help="scratch folder: data root, run directory, logs (emptied first)")
    args = parser.parse_args()
    shutil.rmtree(args.out_dir, ignore_errors=True)
    args.out_dir.mkdir(parents=True)
    env = {**os.environ, "GRAPHKIT_DATA": str(args.out_dir / "data"), "OMP_NUM_THREADS": "1",
           "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)}
    run = args.out_dir / "run"
    load_before = os.getloadavg()
    steps = []
    for name, argv in _commands(run):
        log = args.out_dir / f"{name}.log"
        cpu0, t0 = _cpu_of_children(), time.perf_counter()
        with log.open("w") as f:
            code = subprocess.run([sys.executable, "-m", "graphkit", *argv], cwd=ROOT, env=env, stdout=f,
                                  stderr=subprocess.STDOUT).returncode
        wall, cpu = time.perf_counter() - t0, _cpu_of_children() - cpu0
        steps.append({"command": "graphkit " + " ".join(argv).replace(str(run), "runs/graphclip-quick"),
                      "exit_code": code, "wall_seconds": round(wall, 1), "cpu_seconds": round(cpu, 1), "log": str(log)})
        print(f"{name}: exit {code}, wall {wall:.1f}s, cpu {cpu:.1f}s", flush=True)
        if code != 0:
            print(log.read_text()[-2000:], file=sys.stderr)
            break
    zeroshot = json.loads(next((run / "zeroshot").glob("*/results.json")).read_text())
    fewshot = json.loads(next((run / "fewshot").glob("*/results.json")).read_text())
    total_wall = sum(s["wall_seconds"] for s in steps)
    out = {
        "what": "graphkit pretrain -> zeroshot -> fewshot with configs/graphclip/quick.yaml, fresh GRAPHKIT_DATA, "
                "one thread",
        "steps": steps,
        "total_wall_seconds": round(total_wall, 1),
        "total_cpu_seconds": round(sum(s["cpu_seconds"] for s in steps), 1),
        "target_seconds": TARGET_SECONDS,
        "met": total_wall <= TARGET_SECONDS and all(s["exit_code"] == 0 for s in steps),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "cpu_count": os.cpu_count(),
        "zeroshot_accuracy": {m: round(v["accuracy"], 4) for m, v in zeroshot["methods"].items()},
        "fewshot_accuracy": {k: {m: {"mean": round(v[m]["mean"], 4), "std": round(v[m]["std"], 4)}
                                 for m in ("prompt", "linear_probe", "finetune")}
                             for k, v in fewshot["summary"].items()},
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "graphclip_quick.json").write_text(json.dumps(out, indent=2) + "\n")
    print(f"total: wall {out['total_wall_seconds']}s, cpu {out['total_cpu_seconds']}s "
          f"(load average {out['load_average_before']} -> {out['load_average_after']}); "
          f"wrote {RESULTS / 'graphclip_quick.json'}")


if __name__ == "__main__":
    main()
