"""``graphkit pretrain CONFIG.yaml [key.path=value ...]``: a registered pretraining task
(GraphCLIP graph–summary pretraining on text-attributed graphs, ``data.sources``, or a
plugin's own objective: :func:`graphkit.plugins.register_task` with ``pretraining=True``).

A pretraining config is a run config whose ``task.name`` is a pretraining task (``graphclip``
with ``model.name: graphclip``); it runs on the shared trainer exactly as ``graphkit train`` runs any task
(checkpointed, ``--resume``, ``--nproc`` / torchrun with negatives gathered across ranks,
W&B), and writes a run directory that ``graphkit zeroshot`` and ``graphkit fewshot``
start from.
"""

from __future__ import annotations

import argparse
from pathlib import Path



def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "pretrain", help="a pretraining task (GraphCLIP on text-attributed graphs, or a plugin's own)",
        description="Runs a registered pretraining task (GraphCLIP: graph–summary contrastive pretraining "
                    "on data.sources, for `graphkit zeroshot` and `graphkit fewshot`); writes a run directory.",
    )
    p.add_argument("config", nargs="?", help="YAML config, e.g. configs/graphclip/arxiv_2023.yaml")
    p.add_argument("overrides", nargs="*", help="dotted overrides, e.g. trainer.epochs=2 data.sources=[tag:cora]")
    p.add_argument("--seeds", help="comma-separated seeds (overrides `seeds`)")
    p.add_argument("--threads", type=int, help="torch CPU threads")
    p.add_argument("--device", help="auto, cpu, cuda or cuda:N")
    p.add_argument("--run-dir", type=Path, help="exact run directory (default runs/<name>/<timestamp>)")
    p.add_argument("--runs-root", type=Path, default=Path("runs"), help="parent of run directories")
    p.add_argument("--resume", type=Path, metavar="RUN_DIR", help="continue an interrupted run")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.add_argument("--nproc", type=int, default=1,
                   help="data-parallel processes (negatives gathered across them); same as torchrun")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from graphkit.cli import train

    # checked once the config is typed, after its plugins registered their tasks
    args.require_pretraining = True
    return train.run(args)
