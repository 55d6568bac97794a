"""Where a GraphGPS training step spends its time, ZINC recipe, one thread.

    OMP_NUM_THREADS=1 python benchmarks/gps_profile.py [--batches 10 --steps 3] [--pyg]

Two measurements of the model of ``gps_throughput.py`` on the same ZINC batches:

1. Phase times without a profiler: forward, backward, optimizer (``zero_grad`` + the
   trainer's AdamW ``step``), median over steps, in CPU ms per step of 32 graphs.
2. Component shares with ``torch.profiler``: forward hooks open a
   ``record_function`` scope per component (and the padding helpers get their own);
   every forward op's self time goes to its innermost scope, and every backward node to
   the scope of the forward op that created it (matched by autograd sequence number).
   The profiler slows small ops, so its ms are larger than the phase times; the shares
   are what to read.

``--pyg`` profiles the PyG ``GPSConv`` model of the throughput benchmark the same way.
Prints a markdown table and writes it under ``--label`` into
``benchmarks/results/gps_profile.json``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import defaultdict
from contextlib import ExitStack
from pathlib import Path

import torch
from torch import nn
from torch.autograd.profiler import record_function
from torch.profiler import ProfilerActivity, profile

sys.path.insert(0, str(Path(__file__).parent))
from gps_throughput import PygGPS, optimizer, ours  # noqa: E402
from gps_zinc_batches import zinc_batches  # noqa: E402

from graphkit.nn.attention import PaddedBatch  # noqa: E402
from graphkit.catalog import load as load_catalog  # noqa: E402

load_catalog()  # the built-in models, tasks and datasets, registered as the CLI does

_PREFIX = "gk::"


def _scope_hooks(module: nn.Module, name: str) -> None:
    """Opens a profiler scope for the duration of ``module``'s forward."""
    stack: list[ExitStack] = []

    def pre(_mod, _args):
        es = ExitStack()
        es.enter_context(record_function(_PREFIX + name))
        stack.append(es)

    def post(_mod, _args, _out):
        stack.pop().close()

    module.register_forward_pre_hook(pre)
    module.register_forward_hook(post)


def _scoped(fn, name: str):
    def wrapped(*args, **kwargs):
        with record_function(_PREFIX + name):
            return fn(*args, **kwargs)
    return wrapped


# PaddedBatch's per-layer padding helpers (older versions have only to_dense / to_flat)
_PAD_HELPERS = ("pad_parts", "unpad_parts", "to_dense", "to_flat")


# per-layer submodules (dotted paths) and the component their ops are charged to; the
# layer itself is "layer glue", so whatever its children do not claim lands there
_OUR_LAYER_SCOPES = (
    ("global_model", "attention"), ("local", "local GINE (gather/scatter)"),
    ("local.nn", "local GINE MLP"), ("norm_local", "BatchNorms"), ("norm_global", "BatchNorms"),
    ("norm_ff", "BatchNorms"), ("ff1", "FFN linears"), ("ff2", "FFN linears"))
_PYG_LAYER_SCOPES = (
    ("attn", "attention"), ("conv", "local GINE (gather/scatter)"), ("conv.nn", "local GINE MLP"),
    ("norm1", "BatchNorms"), ("norm2", "BatchNorms"), ("norm3", "BatchNorms"), ("mlp", "FFN linears"))


def _instrument(model: nn.Module, encoders: tuple[str, ...], head: str, layers: str,
                layer_scopes: tuple[tuple[str, str], ...]) -> None:
    for part in encoders:
        if getattr(model, part, None) is not None:
            _scope_hooks(getattr(model, part), "encoders")
    _scope_hooks(getattr(model, head), "head")
    for layer in getattr(model, layers):
        _scope_hooks(layer, "layer glue (residuals, ReLU)")
        for path, component in layer_scopes:
            _scope_hooks(layer.get_submodule(path), component)


def instrument_ours(model: nn.Module) -> None:
    _instrument(model, ("node_encoder", "edge_encoder", "rwse_encoder", "lap_encoder"), "head",
                "layers", _OUR_LAYER_SCOPES)
    # padding bookkeeping is not a module: wrap the helpers (restored by the caller)
    PaddedBatch.from_batch = staticmethod(_scoped(PaddedBatch.from_batch, "padding layout (once per batch)"))
    for name in _PAD_HELPERS:  # those of this version of PaddedBatch
        if name in vars(PaddedBatch):
            setattr(PaddedBatch, name, _scoped(vars(PaddedBatch)[name], "attention pad/unpad"))


def instrument_pyg(model: nn.Module) -> None:
    _instrument(model, ("node_emb", "pe_lin", "pe_norm", "edge_emb"), "mlp", "convs", _PYG_LAYER_SCOPES)


def phase_times(model: nn.Module, batches: list, steps: int) -> dict[str, float]:
    """Median CPU ms per batch of forward, backward and optimizer, no profiler (process
    CPU time: the machine is shared, and one thread's CPU time is its compute time)."""
    opt = optimizer(model)
    model.train()
    times: dict[str, list[float]] = defaultdict(list)
    for b in batches[:2]:  # warm-up
        (model(b).squeeze(-1) - b.y).abs().mean().backward()
    opt.zero_grad()
    for _ in range(steps):
        acc = defaultdict(float)
        for b in batches:
            t0 = time.process_time()
            loss = (model(b).squeeze(-1) - b.y).abs().mean()
            t1 = time.process_time()
            loss.backward()
            t2 = time.process_time()
            opt.step()
            opt.zero_grad()
            t3 = time.process_time()
            acc["forward"] += t1 - t0
            acc["backward"] += t2 - t1
            acc["optimizer"] += t3 - t2
        for k, v in acc.items():
            times[k].append(1e3 * v / len(batches))
    out = {k: statistics.median(v) for k, v in times.items()}
    out["step"] = sum(out.values())
    return out


_GLUE = "model glue (pooling, concat, loss)"
_BACKWARD_OTHER = "backward other (grad accumulation, engine)"
_NODE = "autograd::engine::evaluate_function:"


def _scopes(event) -> list:
    """The profiler scopes around ``event`` (itself included), innermost first."""
    out, e = [], event
    while e is not None:
        if e.name.startswith(_PREFIX):
            out.append(e)
        e = e.cpu_parent
    return out


def _name(scope) -> str:
    name = scope.name[len(_PREFIX):]
    return _GLUE if name == "forward" else name


def component_times(model: nn.Module, batches: list) -> dict[str, dict[str, float]]:
    """Profiled ms per batch by component, split into forward and backward."""
    opt = optimizer(model)
    model.train()
    for b in batches[:2]:  # warm-up
        (model(b).squeeze(-1) - b.y).abs().mean().backward()
        opt.step()
        opt.zero_grad()
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        for b in batches:
            with record_function(_PREFIX + "forward"):
                loss = (model(b).squeeze(-1) - b.y).abs().mean()
            with record_function(_PREFIX + "backward"):
                loss.backward()
            with record_function(_PREFIX + "optimizer (AdamW step + zero_grad)"):
                opt.step()
                opt.zero_grad()
    events = prof.events()
    fwd_scope: dict[int, str] = {}  # autograd sequence number -> component
    for e in events:
        if e.sequence_nr >= 0 and not e.name.startswith("autograd::"):
            scopes = _scopes(e)
            fwd_scope.setdefault(e.sequence_nr, _name(scopes[0]) if scopes else _GLUE)
    table: dict[str, dict[str, float]] = defaultdict(lambda: {"forward": 0.0, "backward": 0.0})
    backward_total = 0.0
    for e in events:
        scopes = _scopes(e)
        if not scopes:
            continue
        if scopes[-1].name != _PREFIX + "backward":
            # forward and optimizer: self time to the innermost scope (the optimizer
            # has no backward: its time sits in the forward column)
            table[_name(scopes[0])]["forward"] += e.self_cpu_time_total
            continue
        if e is scopes[-1]:
            backward_total += e.cpu_time_total
        elif e.name.startswith(_NODE) and e.cpu_parent is scopes[-1]:
            # a top-level autograd node: its time, ops included, goes to the component
            # whose forward op created it
            table[fwd_scope.get(e.sequence_nr, _BACKWARD_OTHER)]["backward"] += e.cpu_time_total
        elif e is scopes[0] and len(scopes) == 2:
            # a scope opened inside a node's backward (padding helpers): moved from
            # the node's component to its own
            node = e.cpu_parent
            while node is not None and not node.name.startswith(_NODE):
                node = node.cpu_parent
            owner = fwd_scope.get(node.sequence_nr, _BACKWARD_OTHER) if node is not None else _BACKWARD_OTHER
            table[owner]["backward"] -= e.cpu_time_total
            table[_name(e)]["backward"] += e.cpu_time_total
    attributed = sum(d["backward"] for d in table.values())
    table[_BACKWARD_OTHER]["backward"] += backward_total - attributed
    n = len(batches)
    return {k: {p: v / 1e3 / n for p, v in d.items()} for k, d in table.items()}


def report(name: str, model: nn.Module, instrument, batches: list, steps: int) -> dict:
    phases = phase_times(model, batches, steps)  # before the hooks, which cost time
    instrument(model)
    comps = component_times(model, batches)
    total = sum(d["forward"] + d["backward"] for d in comps.values())
    rows = sorted(comps.items(), key=lambda kv: -(kv[1]["forward"] + kv[1]["backward"]))
    print(f"\n### {name}: {phases['step']:.1f} ms/step unprofiled "
          f"(forward {phases['forward']:.1f}, backward {phases['backward']:.1f}, "
          f"optimizer {phases['optimizer']:.1f})\n")
    print("| component | fwd (or step) ms | bwd ms | total ms (profiled) | share |")
    print("|---|---:|---:|---:|---:|")
    out_rows = []
    for comp, d in rows:
        t = d["forward"] + d["backward"]
        print(f"| {comp} | {d['forward']:.2f} | {d['backward']:.2f} | {t:.2f} | {100 * t / total:.1f} % |")
        out_rows.append({"component": comp, "forward_ms": d["forward"], "backward_ms": d["backward"],
                         "total_ms": t, "share": t / total})
    print(f"| **total** | | | {total:.2f} | 100 % |")
    return {"phases_ms_unprofiled": phases, "profiled_total_ms": total, "components": out_rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=10)
    parser.add_argument("--steps", type=int, default=3, help="passes over the batches for phase times")
    parser.add_argument("--pyg", action="store_true", help="also profile PyG's GPSConv model")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results/gps_profile.json")
    parser.add_argument("--label", default="current",
                        help="key of this profile in --out; profiles under other keys are kept")
    args = parser.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    batches = zinc_batches(args.batches)
    result = {"batches": args.batches, "batch_size": 32, "threads": 1, "torch": torch.__version__}
    model = ours(batches[0].get_example(0))
    originals = {k: v for k, v in vars(PaddedBatch).items() if k in ("from_batch",) + _PAD_HELPERS}
    try:
        result["graphkit"] = report("graphkit GraphGPS", model, instrument_ours, batches, args.steps)
    finally:
        for name, fn in originals.items():
            setattr(PaddedBatch, name, fn)
    if args.pyg:
        result["pyg"] = report("PyG GPSConv model", PygGPS(), instrument_pyg, batches, args.steps)
    profiles = json.loads(args.out.read_text()) if args.out.exists() else {}
    profiles[args.label] = result
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(profiles, indent=1) + "\n")


if __name__ == "__main__":
    main()
