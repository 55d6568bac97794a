import json
import os
import subprocess
import sys

import numpy as np
import pytest
import scipy.io
import scipy.sparse as sp
import yaml

from graphkit.cli.main import main


@pytest.fixture()
def mat_graph(tmp_path):
    """Two 6-node communities joined by one edge, one label per community (+ a shared one)."""
    rng = np.random.default_rng(0)
    n = 12
    community = np.repeat([0, 1], n // 2)
    a = np.zeros((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            if community[i] == community[j] and rng.random() < 0.8:
                a[i, j] = a[j, i] = 1
    a[5, 6] = a[6, 5] = 1
    group = np.zeros((n, 3))
    group[np.arange(n), community] = 1
    group[::4, 2] = 1
    path = tmp_path / "toy.mat"
    scipy.io.savemat(path, {"network": sp.csc_matrix(a), "group": sp.csc_matrix(group)})
    return path


def test_embed_fastrp_evaluate_and_tune_on_a_mat_file(mat_graph, tmp_path, capsys):
    emb = tmp_path / "out" / "emb.npy"
    assert main(["embed", "fastrp", "--runs-root", str(tmp_path / "runs"), "--graph", str(mat_graph), "--dim", "16", "--weights", "0,1,1",
                 "--beta", "-0.5", "--seed", "1", "--out", str(emb)]) == 0
    embedding = np.load(emb)
    assert embedding.shape == (12, 16) and embedding.dtype == np.float32

    assert main(["embed", "evaluate", "--embedding", str(emb), "--graph", str(mat_graph),
                 "--ratios", "0.5,0.75", "--shuffles", "2", "--C", "1.0"]) == 0
    report = json.loads((emb.parent / "results.json").read_text())
    assert [r["train_ratio"] for r in report["results"]] == [0.5, 0.75]
    for row in report["results"]:
        assert len(row["micro_f1"]["runs"]) == 2 and row["macro_f1"]["std"] >= 0.0
        assert row["micro_f1"]["mean"] > 0.6  # the communities decide the first two labels
    assert (emb.parent / "f1.png").stat().st_size > 0

    tune_out = tmp_path / "tune.json"
    assert main(["embed", "tune", "--graph", str(mat_graph), "--trials", "2", "--dim", "8", "--ratio", "0.5",
                 "--shuffles", "1", "--out", str(tune_out), "--runs-root", str(tmp_path / "runs")]) == 0
    assert len(json.loads(tune_out.read_text())["trials"]) == 2
    assert "--beta" in capsys.readouterr().out


def test_embed_recipes_write_run_directories(mat_graph, tmp_path):
    emb = tmp_path / "emb" / "emb.npy"
    cfg = tmp_path / "fastrp.yaml"
    cfg.write_text(f"graph: {mat_graph}\ndim: 8\ntracking:\n  wandb:\n    mode: disabled\n")
    fastrp_run = tmp_path / "fastrp-run"
    assert main(["embed", "fastrp", "--config", str(cfg), "--out", str(emb), "--run-dir", str(fastrp_run),
                 "seed=2"]) == 0
    recorded = yaml.safe_load((fastrp_run / "config.yaml").read_text())
    assert recorded["dim"] == 8 and recorded["seed"] == 2 and recorded["graph"] == str(mat_graph)
    assert not (emb.parent / "config.yaml").exists()  # the embedding's folder holds the embedding alone
    results = json.loads((fastrp_run / "results.json").read_text())
    assert results == {**json.loads(emb.with_suffix(".json").read_text()), "embedding": str(emb), "num_nodes": 12}

    out = tmp_path / "eval"
    assert main(["embed", "evaluate", "--embedding", str(emb), "--graph", str(mat_graph), "--ratios", "0.5",
                 "--shuffles", "1", "--out-dir", str(out), "--quiet", "tracking.wandb.mode=disabled"]) == 0
    assert yaml.safe_load((out / "config.yaml").read_text())["ratios"] == [0.5]
    assert json.loads((out / "results.json").read_text())["embedding_params"]["dim"] == 8

    run = tmp_path / "tune"
    assert main(["embed", "tune", "--graph", str(mat_graph), "--trials", "2", "--dim", "8", "--ratio", "0.5",
                 "--shuffles", "1", "--run-dir", str(run), "tracking.wandb.mode=disabled"]) == 0
    trials = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    assert [t["trial"] for t in trials] == [0, 1] and len(json.loads((run / "results.json").read_text())["trials"]) == 2
    assert yaml.safe_load((run / "config.yaml").read_text())["trials"] == 2


def test_embed_failed_start_leaves_nothing_behind(mat_graph, tmp_path, capsys):
    out = tmp_path / "new" / "e.npy"
    assert main(["embed", "fastrp", "--runs-root", str(tmp_path / "runs"), "--graph", str(tmp_path / "missing.mat"), "--out", str(out)]) == 2
    assert not (tmp_path / "new").exists() and not any((tmp_path / "runs").rglob("config.yaml"))
    assert main(["embed", "tune", "--graph", str(mat_graph), "--trials", "0", "--run-dir", str(tmp_path / "t"),
                 "tracking.wandb.mode=disabled"]) == 2
    assert not (tmp_path / "t").exists()


def test_embed_disabled_tracking_never_imports_wandb(mat_graph, tmp_path):
    code = (
        "import sys\n"
        "from graphkit.cli.main import main\n"
        f"assert main(['embed', 'fastrp', '--graph', {str(mat_graph)!r}, '--dim', '8', '--out', "
        f"{str(tmp_path / 'e.npy')!r}, '--runs-root', {str(tmp_path / 'runs')!r}, "
        "'tracking.wandb.mode=disabled']) == 0\n"
        "assert 'wandb' not in sys.modules, 'wandb was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})


def test_embed_paper_preset_is_recorded_in_results(mat_graph, tmp_path):
    emb = tmp_path / "emb.npy"
    assert main(["embed", "fastrp", "--runs-root", str(tmp_path / "runs"), "--graph", str(mat_graph), "--preset", "paper", "--dim", "16",
                 "--out", str(emb)]) == 0
    assert np.load(emb).shape == (12, 16)  # an explicit flag overrides the preset's d = 512
    assert main(["embed", "evaluate", "--embedding", str(emb), "--graph", str(mat_graph), "--preset", "paper",
                 "--ratios", "0.5", "--shuffles", "1"]) == 0
    report = json.loads((tmp_path / "results.json").read_text())
    assert report["C"] == 0.1 and report["preset"] == "paper"
    params = report["embedding_params"]
    assert params["weights"] == [0.0, 0.0, 1.0, 6.67] and params["beta"] == -0.64 and params["dim"] == 16


def test_embed_deepwalk_writes_an_embedding(mat_graph, tmp_path):
    emb = tmp_path / "dw.npy"
    assert main(["embed", "deepwalk", "--graph", str(mat_graph), "--dim", "8", "--walks-per-node", "2",
                 "--walk-length", "5", "--out", str(emb)]) == 0
    assert np.load(emb).shape == (12, 8)


def test_embed_user_mistakes_exit_2_with_one_line(mat_graph, tmp_path, capsys):
    assert main(["embed", "fastrp", "--runs-root", str(tmp_path / "runs"), "--graph", str(tmp_path / "missing.mat"), "--out", str(tmp_path / "e.npy")]) == 2
    assert main(["embed", "fastrp", "--runs-root", str(tmp_path / "runs"), "--graph", str(mat_graph), "--out", str(tmp_path / "e.txt")]) == 2
    assert main(["embed", "fastrp", "--runs-root", str(tmp_path / "runs"), "--graph", str(mat_graph), "--weights", "0,0", "--out", str(tmp_path / "e.npy")]) == 2
    np.save(tmp_path / "wrong.npy", np.zeros((5, 2)))
    assert main(["embed", "evaluate", "--embedding", str(tmp_path / "wrong.npy"), "--graph", str(mat_graph)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 4 and all(line.startswith("graphkit: error:") for line in err)


@pytest.mark.slow
def test_embed_fastrp_blogcatalog_from_the_registry(mirror, tmp_path):
    emb = tmp_path / "blog.npy"
    assert main(["embed", "fastrp", "--runs-root", str(tmp_path / "runs"), "--dataset", "blogcatalog", "--preset", "paper", "--dim", "64",
                 "--seed", "42", "--out", str(emb)]) == 0
    assert np.load(emb).shape == (10312, 64)
    assert main(["embed", "evaluate", "--embedding", str(emb), "--dataset", "blogcatalog", "--preset", "paper",
                 "--ratios", "0.1", "--shuffles", "1"]) == 0
    row = json.loads((tmp_path / "results.json").read_text())["results"][0]
    # The notebook's d=64 search trials score 32-33.5 % Micro-F1 at 10 % training data.
    assert row["micro_f1"]["mean"] > 0.30 and row["macro_f1"]["mean"] > 0.14


@pytest.mark.slow
def test_embed_evaluate_mat_file_matches_registry(mirror, tmp_path):
    mat = mirror / "node_embedding" / "blogcatalog.mat"
    emb = tmp_path / "blog.npy"
    assert main(["embed", "fastrp", "--runs-root", str(tmp_path / "runs"), "--graph", str(mat), "--dim", "32", "--seed", "0", "--out", str(emb)]) == 0
    from_mat = np.load(emb)
    assert main(["embed", "fastrp", "--runs-root", str(tmp_path / "runs"), "--dataset", "blogcatalog", "--dim", "32", "--seed", "0", "--out", str(emb)]) == 0
    np.testing.assert_allclose(np.load(emb), from_mat, atol=1e-5)


@pytest.mark.parametrize("content,word", [
    (lambda good: b"", "empty file"),
    (lambda good: b"network,group\n0,1\n" * 20, "not a readable .mat file"),
    (lambda good: good[:100], "not a readable .mat file"),
    (lambda good: good[: len(good) // 2], "not a readable .mat file"),
])
def test_embed_fastrp_broken_mat_file_is_one_line_error(mat_graph, tmp_path, capsys, content, word):
    bad = tmp_path / "bad.mat"
    bad.write_bytes(content(mat_graph.read_bytes()))
    assert main(["embed", "fastrp", "--runs-root", str(tmp_path / "runs"), "--graph", str(bad), "--out", str(tmp_path / "e.npy")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"graphkit: error: {bad}: {word}"), err
    assert not (tmp_path / "e.npy").exists()


def test_embed_run_directory_held_by_another_run_is_refused(mat_graph, tmp_path, capsys):
    from graphkit.trainers.run_lock import RunLock

    run = tmp_path / "r"
    run.mkdir()
    with RunLock(run):  # a concurrent recipe on the same --run-dir
        for argv in (["embed", "fastrp", "--graph", str(mat_graph), "--out", str(tmp_path / "e.npy")],
                     ["embed", "tune", "--graph", str(mat_graph), "--trials", "2"]):
            assert main([*argv, "--run-dir", str(run), "tracking.wandb.mode=disabled"]) == 2
            assert f"run directory {run} is in use by pid {os.getpid()}" in capsys.readouterr().err
    assert sorted(p.name for p in run.iterdir()) == [".lock"]
    assert not (tmp_path / "e.npy").exists()
