"""``graphkit fewshot RUN_DIR --dataset NAME --shots 1,3,5,10 --seeds 0,1,2,3,4
[--config FILE.yaml] [key.path=value ...]``: graph prompt tuning vs a linear probe vs full
fine-tuning at equal shots, plus the zero-shot accuracy on a second dataset after tuning
(forgetting).

The recipe is :class:`graphkit.zeroshot.few_shot_config.FewShotConfig` (its docstring
holds how the defaults were chosen); the flags are shortcuts that set its keys; the
protocol is :mod:`graphkit.zeroshot.few_shot_protocol`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from graphkit.cli.arguments import add_recipe_arguments, int_list, load_recipe


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("fewshot", help="few-shot graph prompt tuning vs linear probe vs fine-tuning",
                       description="Few-shot node classification from a pretrained GraphCLIP run; "
                                   "mean ± std over seeds; accuracy-vs-shots plot. Writes a run directory: "
                                   "config.yaml, metrics.jsonl (tuning losses), results.json, fewshot.png.")
    p.add_argument("run", nargs="?", help="a `graphkit pretrain` run directory or a checkpoint file "
                                          "(config key `pretrained`)")
    add_recipe_arguments(p, "epochs=50 prompt_lr=0.003")
    p.add_argument("--dataset", help="registered TAG or TAG directory to adapt to")
    p.add_argument("--shots", help="shots per class (default 1,3,5,10)")
    p.add_argument("--seeds", help="seeds (default 0,1,2,3,4)")
    p.add_argument("--second-dataset",
                   help="dataset whose zero-shot accuracy shows forgetting (default: the run's first source)")
    p.add_argument("--second-nodes", type=int,
                   help="test nodes of the second dataset scored (default 1000; 0 = all)")
    p.add_argument("--epochs", type=int, help="tuning epochs of prompt and fine-tuning (default 100)")
    p.add_argument("--prompt-lr", type=float, help="prompt tuning learning rate (default 0.001)")
    p.add_argument("--prompt-basis", type=int,
                   help="GPF-plus basis vectors of the prompt (default 8; 1 = one shared vector, GPF)")
    p.add_argument("--no-label-prompt", dest="label_prompt", action="store_false", default=None,
                   help="tune the graph prompt alone, without the learned class-text offsets")
    p.add_argument("--finetune-lr", type=float, help="full fine-tuning learning rate (default 1e-5)")
    p.add_argument("--probe-c", type=float,
                   help="inverse L2 strength of the linear probe's logistic regression (default 10)")
    p.add_argument("--eval-split", choices=("test", "valid"),
                   help="nodes scored (default test); choose tuning settings on valid, report on test")
    p.add_argument("--template", help="label text template with {c}")
    p.add_argument("--checkpoint", help="best or last, for a run directory (default best)")
    p.add_argument("--out", type=Path, help="run directory (default <run>/fewshot/<dataset>[-valid])")
    p.add_argument("--quiet", action="store_true", default=None)
    p.set_defaults(func=run)


def config_from_args(args: argparse.Namespace):
    """The typed recipe: ``--config``, overrides, then the flags."""
    from graphkit.zeroshot.few_shot_config import FewShotConfig

    return load_recipe(FewShotConfig, args, {
        "dataset": args.dataset,
        "shots": int_list(args.shots, "--shots") if args.shots else None,
        "seeds": int_list(args.seeds, "--seeds") if args.seeds else None,
        "second_dataset": args.second_dataset, "second_nodes": args.second_nodes, "epochs": args.epochs,
        "prompt_lr": args.prompt_lr, "prompt_basis": args.prompt_basis, "label_prompt": args.label_prompt,
        "finetune_lr": args.finetune_lr, "probe_c": args.probe_c, "eval_split": args.eval_split,
        "template": args.template, "checkpoint": args.checkpoint, "quiet": args.quiet,
    }, positional=("run", "pretrained"))


def run(args: argparse.Namespace) -> int:
    from graphkit.zeroshot.few_shot_protocol import few_shot, report

    results = few_shot(config_from_args(args), args.out)
    print(report(results))
    print(f"run directory: {results['run_dir']}  (results.json, metrics.jsonl, fewshot.png)")
    return 0
