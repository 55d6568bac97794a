"""GraphCLIP pretraining variants, each measured with the zero-shot evaluation suite (issue 35).

    OMP_NUM_THREADS=1 nice -n 5 python benchmarks/graphclip_variants.py [--variants cora-gpt35,cora-template]
        [--suites names,descriptions] [--runs-dir /tmp/graphclip-variants]

For each variant: ``graphkit pretrain`` (the command in :data:`VARIANTS`, wall and CPU time of
the process recorded: the issue's budget is under 60 CPU-minutes), then the suite
``graphkit zeroshot RUN --split all --class-texts names`` (every registered TAG that is not a
source) and, with ``descriptions``, the same with ``--class-texts descriptions`` on the targets
that have published class descriptions (:data:`DESCRIBED`). Uses ``$GRAPHKIT_DATA`` as it is
(text embeddings cached there are reused). A variant whose run already finished is not
pretrained again (its recorded times are kept), and the suite resumes per target, so the
script continues where a stopped one ended. Writes ``benchmarks/results/graphclip_variants.json``:
per variant the commands, their wall/CPU seconds and, per target, GraphCLIP (with the text
prior, raw cosine: the suite's main method), the encoder alone, the best GraphCLIP method under
either rule, the best training-free baseline under either rule and the margin.

``cora-gpt35`` reads the summaries file that ``benchmarks/cora_gpt_summaries.py`` writes
(TAPE's GPT-3.5 explanations aligned to ``tag:cora``); it is written first when missing.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "graphclip_variants.json"
GPT_SUMMARIES = "$GRAPHKIT_DATA/summaries/tag-cora-gpt35.jsonl"
LARGE = ["task.max_centres=0", "task.steps_per_epoch=0", "model.hidden_channels=128", "model.num_layers=2",
         "trainer.epochs=20"]
MIXED = ["--plugin", "benchmarks/mixed_summaries.py", "task.summarizer=template+jsonl",
         f"task.summarizer_path={GPT_SUMMARIES}"]
SMALL_ARXIV = ["trainer.epochs=3", "task.max_centres=300", "task.heldout=50"]
MID_ARXIV = ["trainer.epochs=10", "task.max_centres=1500", "task.heldout=50"]
# name -> pretrain arguments (after `graphkit pretrain`, before --run-dir)
VARIANTS = {
    "cora-gpt35": ["configs/graphclip/cora.yaml", "--threads", "1", "task.summarizer=jsonl",
                   f"task.summarizer_path={GPT_SUMMARIES}"],
    "cora-template": ["configs/graphclip/cora.yaml", "--threads", "1"],
    # the same two at a larger budget: every Cora node a centre, a 2-layer 128-wide model, 20 full passes
    "cora-gpt35-large": ["configs/graphclip/cora.yaml", "--threads", "1", "task.summarizer=jsonl",
                         f"task.summarizer_path={GPT_SUMMARIES}", *LARGE],
    "cora-template-large": ["configs/graphclip/cora.yaml", "--threads", "1", *LARGE],
    # half the pairs template, half GPT-3.5 (benchmarks/mixed_summaries.py, a summarizer plugin)
    "cora-mixed": ["configs/graphclip/cora.yaml", "--threads", "1", *MIXED],
    "cora-mixed-large": ["configs/graphclip/cora.yaml", "--threads", "1", *MIXED, *LARGE],
    "arxiv-template": ["configs/graphclip/arxiv_2023.yaml", "--threads", "1", "trainer.epochs=3",
                       "task.max_centres=3000"],
    # SmolLM2-135M-Instruct summaries (~4 s each on one busy core) against templates, at the same small size
    "arxiv-smollm2": ["configs/graphclip/arxiv_2023.yaml", "--threads", "1", *SMALL_ARXIV, "task.summarizer=generative",
                      "task.summarizer_path=smollm2"],
    "arxiv-template-small": ["configs/graphclip/arxiv_2023.yaml", "--threads", "1", *SMALL_ARXIV],
    "arxiv-smollm2-1500": ["configs/graphclip/arxiv_2023.yaml", "--threads", "1", *MID_ARXIV,
                           "task.summarizer=generative", "task.summarizer_path=smollm2"],
    "arxiv-template-1500": ["configs/graphclip/arxiv_2023.yaml", "--threads", "1", *MID_ARXIV],
    "arxiv-template-recipe": ["configs/graphclip/arxiv_2023.yaml", "--threads", "1"],  # the config as it is
}
# seeds 1 and 2 of the three small Cora variants (same pairs, other initialisation and batches)
VARIANTS.update({f"{name}-seed{seed}": [*VARIANTS[name], f"seeds=[{seed}]"]
                 for name in ("cora-gpt35", "cora-template", "cora-mixed") for seed in (1, 2)})
SOURCES = {name: ["tag:arxiv_2023"] if name.startswith("arxiv-") else ["tag:cora"] for name in VARIANTS}
# registered TAGs with published class descriptions (graphkit.text.class_descriptions)
DESCRIBED = ["tag:cora", "tag:dblp", "tag:arxiv_2023"]


def _cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(argv: list[str], log: Path) -> dict:
    env = {**os.environ, "OMP_NUM_THREADS": "1",
           "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)}
    data_root = os.environ.get("GRAPHKIT_DATA", "")
    argv = [a.replace("$GRAPHKIT_DATA", data_root) for a in argv]
    cpu0, t0, load0 = _cpu_of_children(), time.perf_counter(), os.getloadavg()[0]
    with log.open("w") as f:
        code = subprocess.run([sys.executable, "-m", "graphkit", *argv], cwd=ROOT, env=env, stdout=f,
                              stderr=subprocess.STDOUT).returncode
    wall, cpu = time.perf_counter() - t0, _cpu_of_children() - cpu0
    print(f"graphkit {' '.join(argv)}: exit {code}, wall {wall / 60:.1f} min, cpu {cpu / 60:.1f} min", flush=True)
    if code != 0:
        print(log.read_text()[-3000:], file=sys.stderr)
    return {"exit_code": code, "wall_minutes": round(wall / 60, 2), "cpu_minutes": round(cpu / 60, 2),
            "load_average_before": round(load0, 2), "log": str(log)}


def _suite_rows(suite_dir: Path) -> dict:
    results = json.loads((suite_dir / "results.json").read_text())
    rows = {}
    for target, s in results["summary"].items():
        methods = results["targets"][target]["methods"]
        rows[target] = {
            "nodes": results["targets"][target]["num_nodes"],
            "graphclip": round(100 * s["graphclip"], 2),
            "graphclip_encoder": round(100 * methods["graphclip_encoder"]["accuracy"], 2),
            "best_graphclip_method": s["best_graphclip_method"],
            "best_graphclip": round(100 * methods[s["best_graphclip_method"]]["accuracy"], 2),
            "best_baseline_method": s["best_baseline_method"],
            "best_baseline": round(100 * s["best_baseline"], 2),
            "margin": round(100 * s["margin"], 2),
            "best_graphclip_margin": round(100 * (methods[s["best_graphclip_method"]]["accuracy"]
                                                  - s["best_baseline"]), 2)}
    return rows


TARGET_ORDER = ["tag:cora", "tag:arxiv_2023", "tag:dblp", "tag:cornell", "tag:texas", "tag:washington",
                "tag:wisconsin"]


def markdown(out: dict, texts: str) -> str:
    """Variant x target table of one suite (``names`` or ``descriptions``): per cell GraphCLIP
    (the suite's main method) / the encoder alone (margin of GraphCLIP over the best
    training-free baseline; margin of the best GraphCLIP method under either rule)."""
    variants = {n: v for n, v in out["variants"].items() if texts in v.get("suites", {})}
    targets = [t for t in TARGET_ORDER if any(t in v["suites"][texts]["targets"] for v in variants.values())]
    lines = ["| variant | pretraining CPU-min (wall) | " + " | ".join(f"`{t}`" for t in targets) + " |",
             "|---|---|" + "---|" * len(targets)]
    base = {}
    for v in variants.values():
        for t, row in v["suites"][texts]["targets"].items():
            base[t] = f"{row['best_baseline']:.2f} ({row['best_baseline_method']})"
    lines.append("| best training-free baseline (either rule) | 0 | " +
                 " | ".join(base.get(t, "") for t in targets) + " |")
    for name, v in variants.items():
        rows = v["suites"][texts]["targets"]
        cells = [f"{rows[t]['graphclip']:.2f} / {rows[t]['graphclip_encoder']:.2f} "
                 f"({rows[t]['margin']:+.2f}; {rows[t]['best_graphclip_margin']:+.2f})" if t in rows else "source"
                 for t in targets]
        budget = f"{v['pretrain']['cpu_minutes']:.1f} ({v['pretrain']['wall_minutes']:.1f})"
        lines.append(f"| {name} | {budget} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--variants", default="cora-gpt35,cora-template", help=f"of {', '.join(VARIANTS)}")
    p.add_argument("--suites", default="names,descriptions", help="class texts of the suites: names, descriptions")
    p.add_argument("--runs-dir", type=Path, default=Path("/tmp/graphclip-variants"))
    p.add_argument("--out", type=Path, default=RESULTS)
    p.add_argument("--table", choices=("names", "descriptions"), help="print the table of --out and stop")
    args = p.parse_args()
    if args.table:
        print(markdown(json.loads(args.out.read_text()), args.table))
        return 0
    if not os.environ.get("GRAPHKIT_DATA"):
        print("error: set GRAPHKIT_DATA (the data root whose caches the runs share)", file=sys.stderr)
        return 2
    out = json.loads(args.out.read_text()) if args.out.is_file() else {"variants": {}}
    args.runs_dir.mkdir(parents=True, exist_ok=True)
    for name in args.variants.split(","):
        summaries = Path(GPT_SUMMARIES.replace("$GRAPHKIT_DATA", os.environ["GRAPHKIT_DATA"]))
        if any(GPT_SUMMARIES in a for a in VARIANTS[name]) and not summaries.is_file():
            subprocess.run([sys.executable, str(ROOT / "benchmarks" / "cora_gpt_summaries.py")], cwd=ROOT, check=True)
        run = args.runs_dir / name
        record = out["variants"].setdefault(name, {})
        pretrain = ["pretrain", *VARIANTS[name], "--run-dir", str(run)]
        record["pretrain_command"] = "graphkit " + " ".join(pretrain).replace(str(args.runs_dir), "RUNS")
        if not (run / "results.json").is_file() or "pretrain" not in record:
            record["pretrain"] = _run(pretrain, args.runs_dir / f"{name}-pretrain.log")
            if record["pretrain"]["exit_code"] != 0:
                return 1
        record.setdefault("suites", {})
        for texts in args.suites.split(","):
            suite_dir = run / "zeroshot" / f"suite-all-{texts}"
            argv = ["zeroshot", str(run), "--split", "all", "--class-texts", texts, "--run-dir", str(suite_dir)]
            if texts == "descriptions":
                argv += ["--targets", ",".join(t for t in DESCRIBED if t not in SOURCES[name])]
            step = _run(argv, args.runs_dir / f"{name}-suite-{texts}.log")
            if step["exit_code"] != 0:
                return 1
            record["suites"][texts] = {"command": "graphkit " + " ".join(argv).replace(str(args.runs_dir), "RUNS"),
                                       **step, "targets": _suite_rows(suite_dir)}
            args.out.write_text(json.dumps(out, indent=2) + "\n")
        args.out.write_text(json.dumps(out, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
