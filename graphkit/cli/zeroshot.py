"""``graphkit zeroshot RUN_DIR_OR_CHECKPOINT --dataset NAME_OR_DIR [--config FILE.yaml]
[key.path=value ...]``: zero-shot node classification with a pretrained GraphCLIP model,
optionally beside the training-free text baselines on the same nodes.

The recipe is :class:`graphkit.zeroshot.zero_shot_config.ZeroShotConfig`; the flags are
shortcuts that set its keys; the protocol is :mod:`graphkit.zeroshot.zero_shot_protocol`.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from graphkit.cli.arguments import add_recipe_arguments, load_recipe


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("zeroshot", help="zero-shot node classification on a text-attributed graph",
                       description="Matches each node's subgraph embedding to its class texts "
                                   "(template + optional description); accuracy, macro-F1, per-class table. "
                                   "Writes a run directory: config.yaml, results.json.")
    p.add_argument("run", nargs="?", help="a `graphkit pretrain` run directory or a checkpoint file "
                                          "(config key `pretrained`)")
    add_recipe_arguments(p, "hops=3 text_prior=0.5")
    p.add_argument("--dataset", help="registered TAG (tag:cora) or a TAG directory (`dataset`); left out: "
                                     "the suite over --targets")
    p.add_argument("--targets", help="the suite's targets, comma-separated (`targets`; default every registered "
                                     "TAG that was not a pretraining source; sources are always left out)")
    p.add_argument("--split", choices=("test", "all"),
                   help="the dataset's test split (first split) or all nodes (default test)")
    p.add_argument("--baselines", action="store_true", default=None,
                   help="also the training-free baselines: node text, and k-hop mean of node texts; "
                        "every method under both rules (raw cosine, and '-mean': the graph's mean "
                        "embedding subtracted first)")
    p.add_argument("--subtract-mean", action="store_true", default=None,
                   help="subtract the graph's mean embedding before the cosine (label-free; helps on "
                        "some graphs, hurts on others: see the README)")
    p.add_argument("--hops", type=int,
                   help="hops of the propagated text: the baseline and the text prior (default 2)")
    p.add_argument("--text-prior", type=float,
                   help="weight of the propagated-text cosine added to the encoder's (default 1; 0 = the "
                        "encoder alone; the encoder alone is always reported too, as graphclip_encoder)")
    p.add_argument("--template", help='label text template with {c}, e.g. "this paper has a topic on {c}"')
    p.add_argument("--class-texts", choices=("names", "descriptions", "both"),
                   help="label texts: the class name in the template, the class description alone, or both "
                        "(default: both where the dataset has its own descriptions)")
    p.add_argument("--class-descriptions", help="class description file (CSV name,description; text blocks; "
                                                "JSON), matched to the classes by name")
    p.add_argument("--checkpoint", help="best or last, for a run directory (default best)")
    p.add_argument("--run-dir", type=Path,
                   help="run directory (default <run>/zeroshot/<dataset>-<split>, or suite-<split>)")
    p.add_argument("--out", type=Path, help="also write the results JSON to this file")
    p.add_argument("--device", help="torch device (default cpu)")
    p.add_argument("--quiet", action="store_true", default=None, help="no progress bars")
    p.set_defaults(func=run)


def config_from_args(args: argparse.Namespace):
    """The typed recipe: ``--config``, overrides, then the flags."""
    from graphkit.zeroshot.zero_shot_config import ZeroShotConfig

    return load_recipe(ZeroShotConfig, args, {
        "dataset": args.dataset, "split": args.split, "baselines": args.baselines,
        "subtract_mean": args.subtract_mean, "hops": args.hops, "text_prior": args.text_prior,
        "template": args.template, "class_texts": args.class_texts,
        "class_descriptions": args.class_descriptions,
        "targets": tuple(t.strip() for t in args.targets.split(",") if t.strip()) if args.targets else None,
        "checkpoint": args.checkpoint, "device": args.device, "quiet": args.quiet,
    }, positional=("run", "pretrained"))


def run(args: argparse.Namespace) -> int:
    from graphkit.zeroshot.zero_shot_protocol import report, zero_shot
    from graphkit.zeroshot.zero_shot_suite import table, zero_shot_suite

    cfg = config_from_args(args)
    if cfg.dataset is None:
        results = zero_shot_suite(cfg, args.run_dir)
        print(table(results))
    else:
        results = zero_shot(cfg, args.run_dir)
        print(report(results))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"run directory: {results['run_dir']}")
    return 0
