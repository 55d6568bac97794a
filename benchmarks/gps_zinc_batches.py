"""ZINC mini-batches for the GPS / Mamba benchmarks (RWSE-20 precomputed once)."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import torch
from torch_geometric.loader import DataLoader
from torch_geometric.transforms import AddRandomWalkPE
from graphkit.catalog import load as load_catalog

load_catalog()  # the built-in models, tasks and datasets, registered as the CLI does


def zinc_batches(num_batches: int, batch_size: int = 32, seed: int = 0) -> list:
    """The first ``num_batches`` shuffled training batches of ZINC-12k with ``rwse``.

    Uses the dataset registry when it knows ``zinc``; otherwise builds the graphs from
    the mirror's SMILES with the registry's own converter (same graphs).
    """
    from graphkit.config.run_config import DataConfig, PEConfig
    from graphkit.datasets import DATASETS, load_dataset

    if "zinc" in DATASETS:
        ds = load_dataset(DataConfig(name="zinc", pe=PEConfig(rwse_steps=20)))
        graphs = [ds.graphs[int(i)] for i in ds.splits[0]["train"][: num_batches * batch_size]]
    else:
        from graphkit.datasets.molecules import smiles_to_zinc_graph

        mirror = Path(os.environ.get("GRAPHKIT_MIRROR", Path(__file__).parents[2] / "shared/datasets"))
        with open(mirror / "zinc12k" / "smiles_score.csv") as f:
            rows = list(csv.DictReader(f))[: num_batches * batch_size]
        pe = AddRandomWalkPE(walk_length=20, attr_name="rwse")
        graphs = []
        for row in rows:
            g = smiles_to_zinc_graph(row["SMILES"] if "SMILES" in row else row["smiles"])
            g.y = torch.tensor([float(row["score"])])
            graphs.append(pe(g))
    gen = torch.Generator().manual_seed(seed)
    return list(DataLoader(graphs, batch_size=batch_size, shuffle=True, generator=gen))
