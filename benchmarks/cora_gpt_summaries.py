"""TAPE's GPT-3.5 explanations of Cora as GraphCLIP summaries (``task.summarizer: jsonl``).

    OMP_NUM_THREADS=1 python benchmarks/cora_gpt_summaries.py [--explanations FILE]
        [--dataset tag:cora] [--out FILE.jsonl]

The explanations (``$GRAPHKIT_MIRROR/tag/cora_gpt_explanations/cora.jsonl`` by default:
TAPE's ``gpt_responses/Cora``, one ``{"node_id", "content"}`` per line) are numbered in
TAPE's node order, not ``tag:cora``'s; each is matched to the node whose title and abstract
it explains (:class:`graphkit.text.content_alignment.ContentAlignment`: TF-IDF cosine,
mutual best matches kept, the rest by one-to-one assignment; too few mutual best matches
is a one-line error). Writes the summaries file (default
``$GRAPHKIT_DATA/summaries/tag-cora-gpt35.jsonl``: a data root, never the repository or
the mirror) and the alignment's numbers to ``benchmarks/results/cora_gpt_summaries.json``:
how many pairs are mutual best matches, and, as a check that does not use the rule, how
often the Cora class of the matched node is named in the explanation's opening (GPT-3.5's
prediction) against the same rate for a random matching.

The explanations open with the predicted class: as summaries they leak Cora's labels, so
use them only when Cora is not a zero-shot target of the pretrained model.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

from graphkit.catalog import load as load_catalog
from graphkit.datasets.fetch import resolve_mirror, resolve_root
from graphkit.errors import GraphkitError
from graphkit.text.content_alignment import ContentAlignment, read_explanations, write_summaries
from graphkit.text.text_graph import load_tag

load_catalog()

RESULTS = Path(__file__).parent / "results"
MIRROR_PATH = "tag/cora_gpt_explanations/cora.jsonl"


def class_named(explanations: list[str], nodes: np.ndarray, y: np.ndarray, names: list[str],
                chars: int = 120) -> float:
    """Share of explanations whose first ``chars`` characters name the class of their node."""
    opening = [e[:chars].lower() for e in explanations]
    label = [names[int(y[n])].replace("_", " ").lower() for n in nodes]
    return float(np.mean([lab in o for lab, o in zip(label, opening)]))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--explanations", help=f"TAPE explanations JSONL (default $GRAPHKIT_MIRROR/{MIRROR_PATH})")
    p.add_argument("--dataset", default="tag:cora", help="the TAG they explain (default tag:cora)")
    p.add_argument("--out", type=Path, help="summaries file (default $GRAPHKIT_DATA/summaries/tag-cora-gpt35.jsonl)")
    p.add_argument("--results", type=Path, default=RESULTS / "cora_gpt_summaries.json")
    args = p.parse_args(argv)
    try:
        mirror = resolve_mirror()
        path = Path(args.explanations) if args.explanations else (mirror / MIRROR_PATH if mirror else None)
        if path is None:
            print("error: no --explanations file and no $GRAPHKIT_MIRROR (TAPE's gpt_responses are a "
                  "Google Drive zip: download and join them first)", file=sys.stderr)
            return 2
        t0 = time.perf_counter()
        explanations = read_explanations(path)
        graph = load_tag(args.dataset)
        alignment = ContentAlignment.match(explanations, graph.extra["raw_texts"], what=str(path))
        out = args.out or resolve_root() / "summaries" / f"{args.dataset.replace(':', '-')}-gpt35.jsonl"
        write_summaries(out, explanations, alignment)
    except GraphkitError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    seconds = time.perf_counter() - t0
    y, names = graph.data.y.numpy(), graph.extra["label_names"]
    rng = np.random.default_rng(0)
    report = {"explanations": str(path), "dataset": args.dataset, "summaries": str(out),
              **alignment.report(), "seconds": round(seconds, 2),
              "first_node": {"explanation": 0, "node": int(alignment.node[0])},
              "class_named_in_opening": {
                  "matched": round(class_named(explanations, alignment.node, y, names), 4),
                  "mutual_best": round(class_named([e for e, m in zip(explanations, alignment.mutual) if m],
                                                   alignment.node[alignment.mutual], y, names), 4),
                  "assigned": round(class_named([e for e, m in zip(explanations, alignment.mutual) if not m],
                                                alignment.node[~alignment.mutual], y, names), 4),
                  "random_matching": round(class_named(explanations, rng.permutation(len(y)), y, names), 4)}}
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    sys.exit(main())
