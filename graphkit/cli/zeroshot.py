"""``graphkit zeroshot RUN_DIR_OR_CHECKPOINT --dataset NAME_OR_DIR``: zero-shot node
classification with a pretrained GraphCLIP model, optionally beside the training-free
text baselines on the same nodes."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from graphkit.errors import ConfigError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("zeroshot", help="zero-shot node classification on a text-attributed graph",
                       description="Matches each node's subgraph embedding to its class texts "
                                   "(template + optional description); accuracy, macro-F1, per-class table.")
    p.add_argument("run", type=Path, help="a `graphkit pretrain` run directory or a checkpoint file")
    p.add_argument("--dataset", required=True, help="registered TAG (tag:cora) or a TAG directory")
    p.add_argument("--split", choices=("test", "all"), default="test",
                   help="the dataset's test split (first split) or all nodes (default test)")
    p.add_argument("--baselines", action="store_true",
                   help="also the training-free baselines: node text, and k-hop mean of node texts; "
                        "every method under both rules (raw cosine, and '-mean': the graph's mean "
                        "embedding subtracted first)")
    p.add_argument("--subtract-mean", action="store_true",
                   help="subtract the graph's mean embedding before the cosine (label-free; helps on "
                        "some graphs, hurts on others: see the README)")
    p.add_argument("--hops", type=int, default=2,
                   help="hops of the propagated text: the baseline and the text prior (default 2)")
    p.add_argument("--text-prior", type=float, default=1.0,
                   help="weight of the propagated-text cosine added to the encoder's (default 1; 0 = the "
                        "encoder alone; the encoder alone is always reported too, as graphclip_encoder)")
    p.add_argument("--template", help='label text template with {c}, e.g. "this paper has a topic on {c}"')
    p.add_argument("--checkpoint", default="best", help="best or last, for a run directory (default best)")
    p.add_argument("--out", type=Path, help="results file (default <run>/zeroshot/<dataset>-<split>/results.json)")
    p.add_argument("--device", default="cpu")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.set_defaults(func=run)


def run_base(pretrained) -> Path:
    """Where results go: the run directory, or the folder of a bare checkpoint."""
    return pretrained.run_dir or pretrained.checkpoint.parent


def slug(dataset: str) -> str:
    return dataset.replace(":", "-").replace("/", "-").strip("-.") or "dataset"


def output_path(pretrained, dataset: str, split: str) -> Path:
    return run_base(pretrained) / "zeroshot" / f"{slug(dataset)}-{split}" / "results.json"


def run(args: argparse.Namespace) -> int:
    import torch

    from graphkit.text.text_graph import TextGraph
    from graphkit.zeroshot.pretrained_graph_clip import PretrainedGraphCLIP
    from graphkit.zeroshot import (ZeroShotClassifier, classification_metrics, per_class_table,
                                   khop_mean, text_scores)

    if args.hops < 1:
        raise ConfigError(f"--hops must be >= 1, got {args.hops}")
    if args.text_prior < 0:
        raise ConfigError(f"--text-prior must be >= 0, got {args.text_prior}")
    started = time.perf_counter()
    pretrained = PretrainedGraphCLIP.load(args.run, args.checkpoint, args.device)
    encoder = pretrained.text_encoder(progress=not args.quiet)
    graph = TextGraph.load(args.dataset, encoder, template=args.template)
    class_emb = graph.class_embeddings(encoder)
    if args.split == "all":
        nodes = torch.arange(graph.num_nodes)
    else:
        nodes = graph.dataset.splits[0]["test"].long()
    target = graph.y[nodes]
    names = graph.dataset.extra["label_names"]
    classifier = ZeroShotClassifier(pretrained.model, pretrained.sampler(), device=args.device,
                                    text_prior=args.text_prior, prior_hops=args.hops)
    main_method = "graphclip-mean" if args.subtract_mean else "graphclip"
    rules = (False, True) if args.baselines else (args.subtract_mean,)
    # the text prior is this baseline at the same hops: computed again only without a prior
    propagated = (khop_mean(graph.x, graph.edge_index, graph.num_nodes, args.hops)
                  if args.baselines and args.text_prior == 0 else None)
    scores = {}
    for subtract, (encoder, prior) in classifier.score_parts(graph, nodes, class_emb, rules).items():
        suffix = "-mean" if subtract else ""
        scores["graphclip" + suffix] = classifier.combine(encoder, prior)
        if prior is not None:
            scores["graphclip_encoder" + suffix] = encoder
        if args.baselines:
            scores["text" + suffix] = text_scores(graph.x, nodes, class_emb, subtract_mean=subtract)
            scores[f"text_{args.hops}hop_mean" + suffix] = (
                prior if prior is not None else text_scores(propagated, nodes, class_emb, subtract_mean=subtract))
    results = {"dataset": graph.name, "split": args.split, "num_nodes": int(nodes.numel()),
               "checkpoint": str(pretrained.checkpoint), "text_model": pretrained.task.text_model,
               "class_texts": graph.class_texts, "main_method": main_method,
               "text_prior": args.text_prior, "hops": args.hops, "methods": {}}
    for method, s in scores.items():
        results["methods"][method] = classification_metrics(s.argmax(1), target, names)
    results["seconds"] = time.perf_counter() - started
    out = args.out or output_path(pretrained, args.dataset, args.split)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    main = results["methods"][main_method]
    print(f"zero-shot on {graph.name} ({args.split}, {nodes.numel()} nodes)")
    print(per_class_table(main["per_class"]))
    for method, m in results["methods"].items():
        print(f"{method:<22} accuracy {100 * m['accuracy']:.2f}  macro-F1 {100 * m['macro_f1']:.2f}")
    if args.text_prior > 0:
        print(f"graphclip: the encoder's cosine + {args.text_prior:g} x the {args.hops}-hop propagated text's; "
              "graphclip_encoder: the encoder alone")
    if args.baselines:
        print("'-mean': the graph's mean embedding subtracted before the cosine (label-free)")
    print(f"results: {out}")
    return 0
