"""Training-free zero-shot baselines on text-attributed graphs, under both scoring rules.

    OMP_NUM_THREADS=1 python benchmarks/zeroshot_text_baselines.py [--datasets tag:cora,tag:arxiv_2023] [--hops 0,1,2,3]
        [--pretrain-config configs/graphclip/arxiv_2023.yaml | --no-summaries] [--out FILE.json]

For each graph (all nodes, template "this paper has a topic on {c}"): the k-hop mean of the
node text embeddings (k = 0 is the node's own text) against the class texts, by raw cosine
and with the graph's mean embedding subtracted first (``graphkit zeroshot --subtract-mean``).
Shows that the mean subtraction helps on some graphs and hurts on others of similar class
balance (the largest class's share is reported beside each).

Pretraining targets: on the (subgraph, summary) pairs that ``graphkit pretrain`` builds for
the graph with ``--pretrain-config``'s task settings (same centres, sampler, summarizer and
cache), the zero-shot accuracy of the summary embeddings themselves, i.e. of a graph encoder
that matched its contrastive targets exactly, beside the node text, the 2-hop text and the
config's GraphCLIP model before training (with its default text skip, the subgraph mean +
centre text) on the same centres. A summarizer whose summaries score below the 2-hop text gives pretraining little to
add beyond propagation. Writes ``benchmarks/results/zeroshot_text_baselines.json`` (or ``--out``).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch

from graphkit.config.loader import from_dict, load_yaml
from graphkit.config.run_config import RunConfig
from graphkit.models.graph_clip import build_graph_clip
from graphkit.models.model_inputs import ModelInputs
from graphkit.pretrain.build import load_source, text_encoder
from graphkit.pretrain.graph_clip_task import embed_subgraphs
from graphkit.pretrain.graph_clip_task_config import GraphCLIPTaskConfig
from graphkit.text.text_graph import TextGraph
from graphkit.zeroshot import khop_mean, text_scores
from graphkit.catalog import load as load_catalog

load_catalog()  # the built-in models, tasks and datasets, registered as the CLI does

RESULTS = Path(__file__).parent / "results"
DEFAULT_PRETRAIN = Path(__file__).parent.parent / "configs" / "graphclip" / "arxiv_2023.yaml"


def pretraining_targets(name: str, cfg: RunConfig, graph: TextGraph, class_emb: torch.Tensor, encoder,
                        two_hop: torch.Tensor) -> dict:
    """Zero-shot accuracy (raw cosine) on the pretraining pairs' centres of their summary
    embeddings, node text, 2-hop text and the config's GraphCLIP model before training
    (seed 0; with the default text skip its output is the subgraph mean + centre text)."""
    source = load_source(name, cfg.task, encoder)
    sub = source.pairs.subgraphs
    centres = sub.centres.long()
    d = graph.x.size(1)
    torch.manual_seed(0)
    model = build_graph_clip(cfg.model, ModelInputs(level="graph", out_channels=d, num_features=d,
                                                    rwse_dim=int(sub.rwse.size(1)))).eval()
    untrained = embed_subgraphs(model, graph.x, sub)
    index = torch.arange(len(sub))
    y = graph.y[centres]
    out = {"centres": len(sub)}
    for key, emb in (("summary", source.pairs.summary_emb), ("text", graph.x[centres]),
                     ("2hop", two_hop[centres]), ("graphclip_init", untrained)):
        out[key] = float((text_scores(emb, index, class_emb).argmax(1) == y).float().mean())
    return out


def _shown(path: Path) -> str:
    """``path`` relative to the repository when inside it (results carry no machine paths)."""
    root = Path(__file__).resolve().parent.parent
    try:
        return str(path.resolve().relative_to(root))
    except ValueError:
        return str(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="tag:cora,tag:arxiv_2023")
    parser.add_argument("--hops", default="0,1,2,3")
    parser.add_argument("--pretrain-config", type=Path, default=DEFAULT_PRETRAIN,
                        help="pretraining config whose task settings build the (subgraph, summary) pairs")
    parser.add_argument("--no-summaries", action="store_true", help="skip the pretraining-target rows")
    parser.add_argument("--class-texts", choices=("names", "descriptions", "both"),
                        help="label texts as `graphkit zeroshot --class-texts` (default: the dataset's own)")
    parser.add_argument("--out", type=Path, default=RESULTS / "zeroshot_text_baselines.json")
    args = parser.parse_args()
    hops = [int(h) for h in args.hops.split(",")]
    cfg = from_dict(RunConfig, load_yaml(args.pretrain_config))
    if not isinstance(cfg.task, GraphCLIPTaskConfig):
        raise SystemExit(f"{args.pretrain_config} is not a graphclip pretraining config")
    encoder = text_encoder(cfg.task)
    rows = []
    for name in args.datasets.split(","):
        graph = TextGraph.load(name, encoder, class_texts=args.class_texts)
        class_emb = graph.class_embeddings(encoder)
        nodes = torch.arange(graph.num_nodes)
        counts = torch.bincount(graph.y, minlength=class_emb.size(0))
        row = {"dataset": graph.name, "class_texts": args.class_texts or "default", "num_nodes": graph.num_nodes, "num_classes": int(class_emb.size(0)),
               "largest_class_share": float(counts.max() / counts.sum()), "accuracy": {}}
        propagated = {}
        for k in hops:
            h = propagated[k] = khop_mean(graph.x, graph.edge_index, graph.num_nodes, k) if k else graph.x
            for subtract in (False, True):
                pred = text_scores(h, nodes, class_emb, subtract_mean=subtract).argmax(1)
                key = f"{k}hop" + ("-mean" if subtract else "")
                row["accuracy"][key] = float((pred == graph.y).float().mean())
        if not args.no_summaries:
            two_hop = propagated[2] if 2 in propagated else khop_mean(graph.x, graph.edge_index, graph.num_nodes, 2)
            row["pretraining_targets"] = pretraining_targets(name, cfg, graph, class_emb, encoder, two_hop)
        rows.append(row)
        print(f"{graph.name} ({graph.num_nodes} nodes, {row['num_classes']} classes, "
              f"largest {100 * row['largest_class_share']:.1f} %)")
        for k in hops:
            raw, sub = row["accuracy"][f"{k}hop"], row["accuracy"][f"{k}hop-mean"]
            print(f"  {k}-hop text  raw cosine {100 * raw:6.2f}   minus graph mean {100 * sub:6.2f}")
        if "pretraining_targets" in row:
            t = row["pretraining_targets"]
            print(f"  on the {t['centres']} pretraining centres (raw cosine): summaries {100 * t['summary']:.2f}, "
                  f"node text {100 * t['text']:.2f}, 2-hop text {100 * t['2hop']:.2f}, "
                  f"untrained GraphCLIP {100 * t['graphclip_init']:.2f}")
    out = args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"template": "this paper has a topic on {c}", "text_model": encoder.model_id,
                               "pretrain_config": None if args.no_summaries else _shown(args.pretrain_config),
                               "rows": rows}, indent=1) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
