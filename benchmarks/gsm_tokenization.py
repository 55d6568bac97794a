"""Cost of GSM++'s HAC tokenization of a ZINC mini-batch against one GSM training step.

    OMP_NUM_THREADS=1 python benchmarks/gsm_tokenization.py [--batches 10 --repeats 3]

On ZINC-12k training batches (32 graphs, RWSE-20) it times, one thread:
``hac``: :func:`graphkit.transforms.hac_tokenization.hac_ranks` of the whole batch (the
levels of ``configs/gsm/zinc.yaml``); ``step_cached``: one training step of the
``configs/gsm/zinc.yaml`` model (forward, L1 loss, backward, AdamW) on batches that carry
the cached ``hac_rank`` (``data.pe.hac_levels``); ``step_on_the_fly``: the same step
clustering each batch inside the forward pass. Target (issue 16): hac <= 20 % of a step,
otherwise cache it as a pre-transform (the configs do). Writes
``benchmarks/results/gsm_tokenization.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).parent))
from gps_zinc_batches import zinc_batches  # noqa: E402

from graphkit.config.loader import from_dict, load_yaml  # noqa: E402
from graphkit.config.run_config import DataConfig, PEConfig  # noqa: E402
from graphkit.datasets import load_dataset  # noqa: E402
from graphkit.models import ModelInputs, build_model  # noqa: E402
from graphkit.models.gsm import GSMConfig  # noqa: E402
from graphkit.transforms.hac_tokenization import hac_ranks  # noqa: E402
from graphkit.catalog import load as load_catalog  # noqa: E402

load_catalog()  # the built-in models, tasks and datasets, registered as the CLI does

CONFIG = Path(__file__).parents[1] / "configs/gsm/zinc.yaml"


def _median_ms(fn, items, repeats: int) -> float:
    fn(items[0])  # warm-up (kernel build, allocator)
    times = []
    for _ in range(repeats):
        for item in items:
            start = time.perf_counter()
            fn(item)
            times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path,
                        default=Path(__file__).parent / "results/gsm_tokenization.json")
    args = parser.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    load = os.getloadavg()[0]  # the machine is shared: record how busy it was
    cfg = from_dict(GSMConfig, load_yaml(CONFIG)["model"])
    batches = zinc_batches(args.batches)
    inputs = ModelInputs.from_dataset(
        load_dataset(DataConfig(name="zinc", pe=PEConfig(rwse_steps=20))), out_channels=1)
    model = build_model(cfg, inputs).train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-5)

    def tokenize(batch):
        return hac_ranks(batch.edge_index, batch.num_nodes, batch.x, batch.batch,
                         cfg.hac_levels, cfg.hac_seed)

    def step(batch):
        loss = F.l1_loss(model(batch).view(-1), batch.y.view(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()

    cached = []
    for b in batches:
        c = b.clone()
        c.hac_rank = tokenize(b)
        cached.append(c)
    hac_ms = _median_ms(tokenize, batches, args.repeats)
    step_cached_ms = _median_ms(step, cached, args.repeats)
    step_fly_ms = _median_ms(step, batches, args.repeats)
    result = {
        "command": "OMP_NUM_THREADS=1 python benchmarks/gsm_tokenization.py "
                   f"--batches {args.batches} --repeats {args.repeats}",
        "config": str(CONFIG.relative_to(CONFIG.parents[2])),
        "batch_size": 32, "batches": args.batches, "repeats": args.repeats, "threads": 1,
        "hac_levels": cfg.hac_levels, "load_average_1min": load,
        "median_ms": {"hac": round(hac_ms, 2), "step_cached": round(step_cached_ms, 2),
                      "step_on_the_fly": round(step_fly_ms, 2)},
        "hac_over_step": round(hac_ms / step_cached_ms, 4),
        "target": "hac <= 0.20 x step",
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
