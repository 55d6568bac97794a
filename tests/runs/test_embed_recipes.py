import json
import time

import numpy as np
import scipy.io
import scipy.sparse as sp

from graphkit.cli.main import main
from graphkit.runs import embed_recipes


def test_fastrp_reports_dataset_loading_apart_from_embedding(tmp_path, monkeypatch, capsys):
    # a ring of 8 nodes; the slow load stands for a first run processing its dataset
    a = sp.coo_matrix((np.ones(8), (np.arange(8), (np.arange(8) + 1) % 8)), shape=(8, 8))
    path = tmp_path / "ring.mat"
    scipy.io.savemat(path, {"network": (a + a.T).tocsc(), "group": sp.csc_matrix(np.eye(8)[:, :2])})
    real = embed_recipes.load_graph

    def slow_load(*args):
        time.sleep(0.5)
        return real(*args)

    monkeypatch.setattr(embed_recipes, "load_graph", slow_load)
    run = tmp_path / "run"
    assert main(["embed", "fastrp", "--graph", str(path), "--dim", "8", "--out", str(tmp_path / "e.npy"),
                 "--run-dir", str(run), "tracking.wandb.mode=disabled"]) == 0
    results = json.loads((run / "results.json").read_text())
    assert results["load_seconds"] >= 0.5
    assert results["seconds"] < 0.5  # the embedding alone
    assert results["kernel_seconds"] >= 0.0
    line = capsys.readouterr().out.splitlines()[0]
    assert f"in {results['seconds']:.3f}s" in line and f"dataset loading {results['load_seconds']:.1f}s" in line
