"""CPU inference latency of a dense run beside compact checkpoints, on one batch of test graphs.

    OMP_NUM_THREADS=1 python benchmarks/sparsify_latency.py --dense runs/zinc-dense \\
        --model "same-size compact=runs/zinc-control/checkpoints/best.pt" \\
        --model "learned=runs/zinc-sparse/checkpoints/best.pt" [--out NAME]

``graphkit sparsify`` times the dense and the compact model in the same run; this separates
what the compact model's inference path is worth from what removing structure is worth: a
compact model with nothing removed (``graphkit sparsify ... sparsify.target_flops=1.0``)
has the dense model's weights and FLOPs. All models are timed alternately in one process,
one thread, median of ``--repeats`` (``graphkit.sparsify.latency.compare_latency``), over
``--rounds`` rounds. Writes ``benchmarks/results/<out>.json``.
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path
from graphkit.catalog import load as load_catalog

load_catalog()  # the built-in models, tasks and datasets, registered as the CLI does

RESULTS = Path(__file__).parent / "results"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dense", required=True, help="the trained dense run directory")
    parser.add_argument("--model", action="append", required=True, help="LABEL=CHECKPOINT")
    parser.add_argument("--graphs", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", default="sparsify_latency_zinc")
    args = parser.parse_args()

    import torch
    from torch_geometric.data import Batch

    import graphkit
    from graphkit.sparsify.latency import compare_latency

    torch.set_num_threads(1)
    loaded = graphkit.load_run(args.dense)
    test = loaded.dataset.splits[loaded.split]["test"][: args.graphs]
    batch = Batch.from_data_list([loaded.dataset.graphs[int(i)] for i in test])
    paths = {label.strip(): path.strip() for label, path in (text.split("=", 1) for text in args.model)}
    models = {"dense": loaded.model.eval(), **{label: graphkit.load_model(path).eval() for label, path in paths.items()}}
    rounds = []
    for _ in range(args.rounds):
        latency = compare_latency(models, batch, repeats=args.repeats)
        rounds.append({name: value["median_ms"] for name, value in latency.items()})
    medians = {name: statistics.median(r[name] for r in rounds) for name in models}
    out = {"dense_run": args.dense, "models": paths,
           "graphs": len(test), "threads": 1, "repeats": args.repeats, "rounds": rounds, "median_ms": medians,
           "speedup_over_dense": {n: medians["dense"] / m for n, m in medians.items()}}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{args.out}.json").write_text(json.dumps(out, indent=1) + "\n")
    for name, ms in medians.items():
        print(f"{name:<24} {ms:8.1f} ms  {medians['dense'] / ms:5.2f}x over dense")
    print(f"wrote {RESULTS / (args.out + '.json')}")


if __name__ == "__main__":
    main()
