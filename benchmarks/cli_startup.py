"""Wall time of the commands a newcomer types first: `data list`, `--help`s, `data info cora`.

    GRAPHKIT_MIRROR=... python benchmarks/cli_startup.py [--repeats 3]

Each command is a fresh `python -m graphkit ...` process (what a user waits for); the
median of the repeats is reported with the heavy libraries the process loaded. Target:
`data list` and every `--help` under 1 s (issue 12: 7-10 s before). `data info cora`
reads the processed cache, so it has to load torch; it runs once first to fill the cache.
Writes benchmarks/results/cli_startup.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

COMMANDS = (
    ["data", "list"], ["--help"], ["train", "--help"], ["data", "--help"], ["embed", "--help"],
    ["embed", "evaluate", "--help"], ["lp", "--help"], ["plot", "--help"], ["eval", "--help"],
    ["data", "info", "cora"],
)
HEAVY = ("torch", "torch_geometric", "sklearn", "transformers", "scipy", "pandas")
_RUN = ("import runpy, sys; sys.argv = ['graphkit'] + sys.argv[1:]\n"
        "try:\n    runpy.run_module('graphkit', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "sys.stderr.write('LOADED ' + ','.join(m for m in {heavy} if m in sys.modules) + '\\n')\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "cli_startup.json")
    args = parser.parse_args()
    env = {**os.environ, "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1")}
    subprocess.run([sys.executable, "-m", "graphkit", "data", "prepare", "cora"], env=env, check=True,
                   capture_output=True)
    rows = []
    for argv in COMMANDS:
        walls, loaded = [], ""
        for _ in range(args.repeats):
            start = time.perf_counter()
            done = subprocess.run([sys.executable, "-c", _RUN.format(heavy=HEAVY), *argv], env=env,
                                  capture_output=True, text=True)
            walls.append(time.perf_counter() - start)
            loaded = done.stderr.rsplit("LOADED ", 1)[-1].strip()
        rows.append({"command": "graphkit " + " ".join(argv), "median_wall_s": statistics.median(walls),
                     "wall_s": walls, "heavy_modules_loaded": loaded.split(",") if loaded else []})
        print(f"{rows[-1]['command']:<34} {rows[-1]['median_wall_s']:.2f}s  loads: {loaded or '-'}", flush=True)
    report = {"python": sys.version.split()[0], "repeats": args.repeats, "commands": rows,
              "note": "2-core machine shared with other jobs; fresh process per run"}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
