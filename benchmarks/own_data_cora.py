"""Your own node-level graph gives the registered dataset's accuracy: Cora re-exported as an
edge-list folder (edges.csv, features.csv, labels.csv, split.csv with the public split) in a
temporary directory, trained with configs/gcn/cora.yaml beside the registered ``cora``.

    python benchmarks/own_data_cora.py [--seeds 0,1,2] [--epochs 200]

Checks that the folder loads to the same graph (features, edges, labels, split) and prints
both runs' test accuracy per seed. Writes benchmarks/results/own_data_cora.json.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import json
import tempfile
from pathlib import Path

import numpy as np
from torch_geometric.utils import coalesce

from graphkit.cli.main import main as graphkit
from graphkit.config import DataConfig
from graphkit.datasets import load_dataset

RESULTS = Path(__file__).parent / "results"
CONFIG = str(Path(__file__).resolve().parents[1] / "configs" / "gcn" / "cora.yaml")


def export_cora(folder: Path) -> None:
    """Writes registered Cora (public split) as an edge-list folder."""
    cora = load_dataset(DataConfig(name="cora"))
    data, split = cora.data, cora.splits[0]
    folder.mkdir()
    np.savetxt(folder / "edges.csv", data.edge_index.t().numpy(), fmt="%d", delimiter=",",
               header="source,target", comments="")
    np.savetxt(folder / "features.csv", data.x.numpy(), fmt="%g", delimiter=",")
    np.savetxt(folder / "labels.csv", data.y.numpy(), fmt="%d")
    names = np.full(data.num_nodes, "unused", dtype=object)
    for key in ("train", "valid", "test"):
        names[split[key].numpy()] = key
    (folder / "split.csv").write_text("split\n" + "\n".join(names) + "\n")


def same_graph(folder: Path) -> bool:
    cora = load_dataset(DataConfig(name="cora"))
    own = load_dataset(DataConfig(name=str(folder)))
    a, b = cora.data, own.data
    # same edge set; Planetoid keeps its own edge order, the folder's edges come back sorted
    return (a.x.equal(b.x) and coalesce(a.edge_index).equal(b.edge_index) and a.y.equal(b.y)
            and all(cora.splits[0][k].equal(own.splits[0][k]) for k in ("train", "valid", "test")))


def train(name: str, run_dir: Path, seeds: str, epochs: int, extra: list[str]) -> list[float]:
    argv = ["train", CONFIG, f"data.name={name!r}", f"trainer.epochs={epochs}", "--seeds", seeds,
            "--run-dir", str(run_dir), "--quiet", "--threads", "1", "tracking.wandb.mode=disabled", *extra]
    if graphkit(argv) != 0:
        raise SystemExit(f"graphkit {' '.join(argv)} failed")
    return json.loads((run_dir / "results.json").read_text())["test"]["accuracy"]["per_seed"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--epochs", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="graphkit-own-cora-") as tmp:
        folder = Path(tmp) / "cora-edge-list"
        export_cora(folder)
        identical = same_graph(folder)
        registered = train("cora", Path(tmp) / "run-cora", args.seeds, args.epochs, [])
        own = train(str(folder), Path(tmp) / "run-own", args.seeds, args.epochs, ["data.split=default"])
    print(f"same features, edges, labels and split: {identical}")
    print(f"{'seed':>4}  {'cora':>8}  {'own folder':>10}")
    for seed, a, b in zip(args.seeds.split(","), registered, own):
        print(f"{seed:>4}  {a:8.4f}  {b:10.4f}")
    print(f"mean  {np.mean(registered):8.4f}  {np.mean(own):10.4f}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "own_data_cora.json").write_text(json.dumps(
        {"seeds": args.seeds, "epochs": args.epochs, "same_graph": identical,
         "cora": registered, "own_folder": own}, indent=1))


if __name__ == "__main__":
    main()
