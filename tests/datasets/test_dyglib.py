import numpy as np
import pytest

import graphkit
from graphkit.config import DataConfig
from graphkit.datasets import load_dataset
from graphkit.errors import DatasetError

REPO_CONFIGS = __import__("pathlib").Path(__file__).resolve().parents[2] / "configs"


def _write_stream(folder, name="toy", num_events=120, num_nodes=20, with_features=True):
    g = np.random.default_rng(0)
    src = g.integers(1, num_nodes + 1, num_events)
    dst = (src + g.integers(1, num_nodes, num_events) - 1) % num_nodes + 1
    ts = np.sort(g.integers(0, 10_000, num_events))
    lines = [",u,i,ts,label,idx"] + [f"{k},{s},{d},{t},0,{k + 1}" for k, (s, d, t) in enumerate(zip(src, dst, ts))]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"ml_{name}.csv").write_text("\n".join(lines) + "\n")
    if with_features:
        np.save(folder / f"ml_{name}.npy", np.arange((num_events + 1) * 2, dtype=np.float64).reshape(-1, 2))
        np.save(folder / f"ml_{name}_node.npy", np.ones((num_nodes + 1, 3)))
    return src, dst, ts


def test_dyglib_family_reads_the_ml_layout_with_features(tmp_path):
    src, dst, ts = _write_stream(tmp_path / "raw")
    graphkit.catalog.load()
    dataset = load_dataset(DataConfig(name="dyglib:toy", root=str(tmp_path / "root"),
                                      args={"dir": str(tmp_path / "raw")}))
    data = dataset.data
    assert data.src.tolist() == src.tolist() and data.dst.tolist() == dst.tolist()
    assert data.t.tolist() == ts.astype(float).tolist()
    # event k has idx k + 1: its features are row k + 1 of ml_toy.npy
    assert data.msg[0].tolist() == [2.0, 3.0] and data.msg.shape == (120, 2)
    assert data.x.shape == (21, 3) and dataset.task == "temporal_link_prediction" and dataset.metric == "ap"
    split = dataset.splits[0]
    assert split["valid"].numel() + split["test"].numel() == pytest.approx(0.3 * 120, abs=3)
    assert set(split["new_node_test"].tolist()) <= set(split["test"].tolist())


def test_dyglib_family_errors_are_one_line(tmp_path):
    graphkit.catalog.load()
    folder = tmp_path / "raw"
    folder.mkdir()
    (folder / "ml_bad.csv").write_text(",u,x,ts\n0,1,2,3\n")
    with pytest.raises(DatasetError, match="missing column"):
        load_dataset(DataConfig(name="dyglib:bad", root=str(tmp_path / "root"), args={"dir": str(folder)}))
    with pytest.raises(DatasetError, match="no ml_none.csv"):
        load_dataset(DataConfig(name="dyglib:none", root=str(tmp_path / "root"), args={"dir": str(folder)}))
    with pytest.raises(DatasetError, match="unknown key 'bogus'"):
        load_dataset(DataConfig(name="dyglib:bad", root=str(tmp_path / "root"), args={"bogus": 1}))


def test_dyglib_stream_trains_each_temporal_model_through_the_api(tmp_path):
    _write_stream(tmp_path / "raw", with_features=False)
    for model in ("tgn", "graphmixer", "todyformer"):
        result = graphkit.train(REPO_CONFIGS / model / "uci.yaml", runs_root=tmp_path / "runs", overrides=[
            "data.name=dyglib:toy", f"data.root={tmp_path / 'root'}", f"data.args={{'dir': '{tmp_path / 'raw'}'}}",
            "data.batch_size=16", "trainer.epochs=1", "seeds=[0]", "tracking.wandb.mode=disabled",
            "model.hidden_channels=8", "model.time_channels=4"])
        test = result.results["test"]
        assert 0.0 <= test["ap"]["mean"] <= 1.0 and "new_ap_historical" in test
        run = graphkit.load_run(result.run_dir)  # the run is an artifact: it reloads
        assert run.model is not None


@pytest.mark.slow
def test_dyglib_uci_short_training_run_on_the_mirror(mirror, tmp_path):
    result = graphkit.train(REPO_CONFIGS / "tgn" / "uci.yaml", runs_root=tmp_path / "runs", overrides=[
        "trainer.epochs=1", "seeds=[0]", "tracking.wandb.mode=disabled", "optim.lr=0.001"])
    assert result.results["test"]["ap"]["mean"] > 0.6
