"""``graphkit fewshot RUN_DIR --dataset NAME --shots 1,3,5,10 --seeds 0,1,2,3,4``: graph
prompt tuning vs a linear probe vs full fine-tuning at equal shots, plus the zero-shot
accuracy on a second dataset after tuning (forgetting)."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from graphkit.cli.arguments import int_list
from graphkit.errors import ConfigError

METHODS = ("prompt", "linear_probe", "finetune")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("fewshot", help="few-shot graph prompt tuning vs linear probe vs fine-tuning",
                       description="Few-shot node classification from a pretrained GraphCLIP run; "
                                   "mean ± std over seeds; accuracy-vs-shots plot.")
    p.add_argument("run", type=Path, help="a `graphkit pretrain` run directory or a checkpoint file")
    p.add_argument("--dataset", required=True, help="registered TAG or TAG directory to adapt to")
    p.add_argument("--shots", default="1,3,5,10", help="shots per class (default 1,3,5,10)")
    p.add_argument("--seeds", default="0,1,2,3,4", help="seeds (default 0,1,2,3,4)")
    p.add_argument("--second-dataset",
                   help="dataset whose zero-shot accuracy shows forgetting (default: the run's first source)")
    p.add_argument("--second-nodes", type=int, default=1000,
                   help="test nodes of the second dataset scored (default 1000; 0 = all)")
    p.add_argument("--epochs", type=int, default=100, help="tuning epochs of prompt and fine-tuning")
    # defaults chosen on Cora's validation nodes at 5 shots (--eval-split valid), each method
    # over its own grid: prompt lr 0.003/0.001/0.0003 with the label prompt (graph prompt
    # alone: 0.1/0.03/0.01/0.003/0.001), probe C 0.1/1/10/100, fine-tuning lr
    # 1e-3/3e-4/1e-4/3e-5/1e-5/3e-6
    p.add_argument("--prompt-lr", type=float, default=0.001)
    p.add_argument("--prompt-basis", type=int, default=8,
                   help="GPF-plus basis vectors of the prompt (1 = one shared vector, GPF)")
    p.add_argument("--no-label-prompt", dest="label_prompt", action="store_false",
                   help="tune the graph prompt alone, without the learned class-text offsets")
    p.add_argument("--finetune-lr", type=float, default=1e-5)
    p.add_argument("--probe-c", type=float, default=10.0,
                   help="inverse L2 strength of the linear probe's logistic regression (default 10)")
    p.add_argument("--eval-split", choices=("test", "valid"), default="test",
                   help="nodes scored (default test); choose tuning settings on valid, report on test")
    p.add_argument("--template", help="label text template with {c}")
    p.add_argument("--checkpoint", default="best", help="best or last, for a run directory")
    p.add_argument("--out", type=Path, help="output folder (default <run>/fewshot/<dataset>)")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=run)


def _second_dataset(args: argparse.Namespace, sources: tuple[str, ...]) -> str:
    if args.second_dataset:
        return args.second_dataset
    if sources:
        return sources[0]
    raise ConfigError("--second-dataset is needed for a checkpoint outside its run directory")


def run(args: argparse.Namespace) -> int:
    import numpy as np
    import torch

    from graphkit.cli.zeroshot import run_base, slug
    from graphkit.pretrain.graph_clip_task import embed_subgraphs
    from graphkit.text.text_graph import TextGraph
    from graphkit.zeroshot.pretrained_graph_clip import PretrainedGraphCLIP
    from graphkit.zeroshot.few_shot import fine_tune, linear_probe, sample_shots, tune_prompt

    shots, seeds = int_list(args.shots, "--shots"), int_list(args.seeds, "--seeds")
    if min(shots) < 1 or args.epochs < 1 or args.prompt_basis < 1:
        raise ConfigError("--shots, --epochs and --prompt-basis must be >= 1")
    if min(args.prompt_lr, args.finetune_lr, args.probe_c) <= 0:
        raise ConfigError("--prompt-lr, --finetune-lr and --probe-c must be > 0")
    started = time.perf_counter()
    pretrained = PretrainedGraphCLIP.load(args.run, args.checkpoint)
    model, checkpoint = pretrained.model, pretrained.checkpoint
    encoder = pretrained.text_encoder(progress=not args.quiet)
    sampler = pretrained.sampler()
    graph = TextGraph.load(args.dataset, encoder, template=args.template)
    class_emb = graph.class_embeddings(encoder)
    split = graph.dataset.splits[0]
    if args.eval_split not in split:
        raise ConfigError(f"{graph.name} has no {args.eval_split!r} split (it has {sorted(split)})")
    pool, test = split["train"].long(), split[args.eval_split].long()
    test_sub = sampler.sample(graph.edge_index, graph.num_nodes, test)
    second = TextGraph.load(_second_dataset(args, pretrained.sources), encoder)
    second_class = second.class_embeddings(encoder)
    s_split = second.dataset.splits[0]
    s_nodes = s_split["test"].long() if "test" in s_split else torch.arange(second.num_nodes)
    if args.second_nodes and s_nodes.numel() > args.second_nodes:
        s_nodes = s_nodes[torch.from_numpy(np.random.default_rng(0).permutation(s_nodes.numel())[: args.second_nodes])]
    s_sub = sampler.sample(second.edge_index, second.num_nodes, s_nodes)

    def accuracy(emb: torch.Tensor, cls: torch.Tensor, y: torch.Tensor) -> float:
        return float(((emb @ cls.t()).argmax(1) == y).float().mean())

    test_emb = embed_subgraphs(model, graph.x, test_sub)
    zero_target = accuracy(test_emb, class_emb, graph.y[test])
    zero_second = accuracy(embed_subgraphs(model, second.x, s_sub), second_class, second.y[s_nodes])
    rows = []
    for k in shots:
        for seed in seeds:
            support = sample_shots(graph.y, pool, k, seed)
            sup_sub = sampler.sample(graph.edge_index, graph.num_nodes, support)
            y_sup = graph.y[support]
            prompt, prompted_classes = tune_prompt(model, graph.x, sup_sub, y_sup, class_emb, args.epochs,
                                                   args.prompt_lr, seed, args.prompt_basis, args.label_prompt)
            acc_prompt = accuracy(embed_subgraphs(model, graph.x, test_sub, prompt=prompt), prompted_classes,
                                  graph.y[test])
            sup_emb = embed_subgraphs(model, graph.x, sup_sub)
            probe_pred = linear_probe(sup_emb, y_sup, test_emb, seed, args.probe_c)
            acc_probe = float((probe_pred == graph.y[test]).float().mean())
            tuned = fine_tune(model, graph.x, sup_sub, y_sup, class_emb, args.epochs, args.finetune_lr, seed)
            acc_ft = accuracy(embed_subgraphs(tuned, graph.x, test_sub), class_emb, graph.y[test])
            second_ft = accuracy(embed_subgraphs(tuned, second.x, s_sub), second_class, second.y[s_nodes])
            second_prompted = accuracy(embed_subgraphs(model, second.x, s_sub, prompt=prompt), second_class,
                                       second.y[s_nodes])
            rows.append({"shots": k, "seed": seed,
                         "accuracy": {"prompt": acc_prompt, "linear_probe": acc_probe, "finetune": acc_ft},
                         # the encoder after tuning, zero-shot on the second dataset: prompt tuning
                         # and the probe leave it unchanged; the prompted column applies the target's graph prompt
                         "second_zeroshot": {"prompt": zero_second, "prompt_applied": second_prompted,
                                             "linear_probe": zero_second, "finetune": second_ft}})
            if not args.quiet:
                print(f"shots {k} seed {seed}: prompt {acc_prompt:.4f} probe {acc_probe:.4f} "
                      f"finetune {acc_ft:.4f} | {second.name} after finetune {second_ft:.4f}", flush=True)
    summary = {}
    for k in shots:
        sel = [r for r in rows if r["shots"] == k]
        entry = {}
        for method in METHODS:
            acc = [r["accuracy"][method] for r in sel]
            entry[method] = {"mean": float(np.mean(acc)), "std": float(np.std(acc, ddof=1)) if len(acc) > 1 else 0.0}
        for method in ("prompt", "prompt_applied", "finetune"):
            sec = [r["second_zeroshot"][method] for r in sel]
            entry[f"second_zeroshot_{method}"] = {"mean": float(np.mean(sec)),
                                                  "std": float(np.std(sec, ddof=1)) if len(sec) > 1 else 0.0}
        summary[str(k)] = entry
    out_dir = args.out or run_base(pretrained) / "fewshot" / (
        slug(args.dataset) + ("" if args.eval_split == "test" else f"-{args.eval_split}"))
    out_dir.mkdir(parents=True, exist_ok=True)
    results = {"dataset": graph.name, "second_dataset": second.name, "checkpoint": str(checkpoint),
               "eval_split": args.eval_split, "eval_nodes": int(test.numel()), "shots": shots, "seeds": seeds,
               "epochs": args.epochs, "prompt_lr": args.prompt_lr, "prompt_basis": args.prompt_basis,
               "label_prompt": args.label_prompt,
               "probe_c": args.probe_c, "finetune_lr": args.finetune_lr, "zeroshot_target": zero_target,
               "zeroshot_second_before": zero_second, "second_nodes": int(s_nodes.numel()),
               "summary": summary, "runs": rows, "seconds": time.perf_counter() - started}
    (out_dir / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    _plot(summary, shots, zero_target, graph.name, out_dir / "fewshot.png", args.label_prompt)
    # the encoder alone (no text prior): what the prompt, the probe and fine-tuning start from
    print(f"few-shot on {graph.name} ({args.eval_split} {test.numel()} nodes; encoder zero-shot "
          f"{100 * zero_target:.2f}); {second.name} encoder zero-shot before tuning {100 * zero_second:.2f}")
    print(f"{'shots':>5} " + " ".join(f"{m:>16}" for m in METHODS) + f" {'2nd after FT':>16}")
    for k in shots:
        e = summary[str(k)]
        cells = [f"{100 * e[m]['mean']:6.2f} ± {100 * e[m]['std']:5.2f}" for m in METHODS]
        ft2 = e["second_zeroshot_finetune"]
        print(f"{k:>5} " + " ".join(f"{c:>16}" for c in cells) + f" {100 * ft2['mean']:6.2f} ± {100 * ft2['std']:5.2f}")
    print(f"results: {out_dir / 'results.json'}  plot: {out_dir / 'fewshot.png'}")
    return 0


def _plot(summary: dict, shots: list[int], zero: float, name: str, path: Path, label_prompt: bool) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 3.5))
    prompt_label = "graph + label prompt tuning" if label_prompt else "graph prompt tuning"
    for method, label in (("prompt", prompt_label), ("linear_probe", "linear probe"),
                          ("finetune", "full fine-tuning")):
        mean = [100 * summary[str(k)][method]["mean"] for k in shots]
        std = [100 * summary[str(k)][method]["std"] for k in shots]
        ax.errorbar(shots, mean, yerr=std, marker="o", capsize=3, label=label)
    ax.axhline(100 * zero, color="gray", linestyle="--", label="zero-shot")
    ax.set_xlabel("shots per class")
    ax.set_ylabel("test accuracy (%)")
    ax.set_title(f"few-shot on {name}")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
