import os

import pytest
import torch
import torch.multiprocessing as mp

from graphkit.config import OptimConfig
from graphkit.distributed import free_port, init_from_env, shutdown
from graphkit.models import build_model_for
from graphkit.models.mpnn import MPNNConfig
from graphkit.tasks.graph_task import GraphTask
from graphkit.trainers import checkpoint as ckpt
from graphkit.trainers.run_dir import RunDir
from graphkit.trainers.trainer import Trainer
from tests.trainers.helpers import paths_and_cycles

CPU = torch.device("cpu")


def _join(rank: int, world_size: int, port: int):
    if world_size > 1:
        os.environ.update(RANK=str(rank), WORLD_SIZE=str(world_size), LOCAL_RANK=str(rank),
                          MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    torch.set_num_threads(1)
    return init_from_env(CPU)


def _fit(dist, run_dir: str, out: str, epochs: int = 4, resume: bool = False, dropout: float = 0.0) -> None:
    rank, world_size = dist.rank, dist.world_size
    ckpt.seed_everything(0)
    dataset = paths_and_cycles(48)
    task = GraphTask(dataset, split_index=0, device=CPU, batch_size=8, seed=0, rank=rank,
                     world_size=world_size)
    # no dropout and no batch norm: then N processes compute exactly one process's steps
    model = build_model_for(MPNNConfig(name="gin", hidden_channels=16, dropout=dropout), dataset, 2)

    def count_epoch(row: dict) -> None:
        with open(f"{out}.rank{rank}", "a") as f:
            f.write("x")

    trainer = Trainer(optim=OptimConfig(lr=0.01), epochs=epochs, run_dir=RunDir(run_dir), device=CPU,
                      progress=False, dist=dist, callbacks=(count_epoch,))
    result = trainer.fit(model, task, seed=0, split=0, resume=resume)
    torch.save({"state": model.state_dict(), "val": result.val, "test": result.test}, f"{out}.{rank}")


def _two_process_jobs(rank: int, world_size: int, port: int, tmp: str) -> None:
    """Every 2-process scenario in one process group (spawning costs seconds per test)."""
    from graphkit.catalog import load  # a spawned process starts without the built-in parts

    load()
    dist = _join(rank, world_size, port)
    _fit(dist, f"{tmp}/two", f"{tmp}/two.pt")
    full, cut = f"{tmp}/full", f"{tmp}/cut"
    _fit(dist, full, full + ".pt", epochs=5, dropout=0.3)
    _fit(dist, cut, cut + ".pt", epochs=2, dropout=0.3)  # "killed" after epoch 1
    torch.manual_seed(99 + rank)  # the resumed job starts from unrelated RNG state
    _fit(dist, cut, cut + ".pt", epochs=5, resume=True, dropout=0.3)
    shutdown()


@pytest.fixture(scope="module")
def two_process_runs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("ddp")
    mp.spawn(_two_process_jobs, args=(2, free_port(), str(tmp)), nprocs=2)
    return tmp


def test_two_gloo_processes_match_one_process(two_process_runs, tmp_path):
    _fit(_join(0, 1, 0), str(tmp_path / "one"), str(tmp_path / "one.pt"))
    one = torch.load(tmp_path / "one.pt.0")
    for rank in (0, 1):
        two = torch.load(two_process_runs / f"two.pt.{rank}")
        for key, value in one["state"].items():
            torch.testing.assert_close(two["state"][key], value, atol=1e-5, rtol=1e-4)
        for split in ("val", "test"):
            assert two[split] == pytest.approx(one[split], abs=1e-5)
    # rank 0 alone writes metrics and runs callbacks
    rows = RunDir(two_process_runs / "two").read_metrics()
    assert [r["epoch"] for r in rows] == [0, 1, 2, 3]
    assert (two_process_runs / "two.pt.rank0").read_text() == "xxxx"
    assert not (two_process_runs / "two.pt.rank1").exists()
    assert len(ckpt.load(RunDir(two_process_runs / "two").last)["rng"]) == 2


def test_two_process_resume_matches_uninterrupted_two_process_run(two_process_runs):
    """Dropout on: every rank's own RNG state must come back from the checkpoint."""
    want, got = (torch.load(two_process_runs / f"{name}.pt.0") for name in ("full", "cut"))
    for key, value in want["state"].items():
        torch.testing.assert_close(got["state"][key], value)
    assert got["test"] == want["test"]
    assert [r["epoch"] for r in RunDir(two_process_runs / "cut").read_metrics()] == list(range(5))


def test_graph_task_shards_every_global_batch_across_ranks():
    dataset = paths_and_cycles(20)  # 10 training graphs
    full = GraphTask(dataset, split_index=0, device=CPU, batch_size=4, seed=3)
    shards = [GraphTask(dataset, split_index=0, device=CPU, batch_size=4, seed=3, rank=r, world_size=2)
              for r in (0, 1)]
    whole = [b.num_nodes for b in full.train_batches(epoch=1)]
    parts = list(zip(*(list(s.train_batches(epoch=1)) for s in shards)))
    # 10 graphs in batches of 4: 4, 4, 2 -> every rank gets 2, 2, 1
    assert len(whole) == 3 and len(parts) == 3
    assert [a.num_nodes + b.num_nodes for a, b in parts] == whole
    assert [a.num_graphs for a, _ in parts] == [2, 2, 1]
    # the order depends on (seed, epoch) only, not on the global RNG
    torch.manual_seed(123)
    assert [b.num_nodes for b in full.train_batches(epoch=1)] == whole
    evals = [sum(b.num_graphs for b in s.eval_batches("test")) for s in shards]
    assert sum(evals) == len(full.subsets["test"])
