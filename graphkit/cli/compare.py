"""``graphkit compare RUN_OR_DIR...``: mean ± std per group of runs, as a table and a bar plot."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "compare", help="a results table (mean ± std per group) over run directories",
        description="Reads results.json (or eval.json) of the given run directories, files, folders of "
                    "runs or globs, groups the runs by config keys (--by; default every key that differs "
                    "between them) and prints each metric as mean ± std over the group's seeds and runs.")
    p.add_argument("targets", nargs="+", metavar="RUN_OR_DIR", help="run directories, results files, folders, globs")
    p.add_argument("--by", help="comma-separated config keys that define a group, e.g. model.name,data.name")
    p.add_argument("--metrics", help="comma-separated result paths, e.g. test.accuracy,params,wall_seconds "
                                     "(default test.<metric>,params,wall_seconds)")
    p.add_argument("--format", default="md", choices=("md", "csv", "latex"), help="table format (default md)")
    p.add_argument("--plot", type=Path, metavar="OUT.png", help="also draw a bar plot with error bars")
    p.set_defaults(func=run, parts=False)


def _names(text: str | None) -> list[str] | None:
    return [s.strip() for s in text.split(",") if s.strip()] if text else None


def run(args: argparse.Namespace) -> int:
    from graphkit.compare import ResultsTable

    table = ResultsTable(args.targets, by=_names(args.by), metrics=_names(args.metrics))
    print(table.render(args.format), end="")
    if args.plot:
        print(f"plot: {table.plot(args.plot)}")
    return 0
