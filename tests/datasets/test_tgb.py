import io
import os
import pickle
import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch

import graphkit
from graphkit.config import DataConfig
from graphkit.datasets import load_dataset
from graphkit.datasets.tgb import read_edges
from graphkit.errors import DatasetError

REPO_CONFIGS = Path(__file__).resolve().parents[2] / "configs"


def _read(text, layout):
    return read_edges(lambda: io.BytesIO(text.encode()), layout, "edges.csv")


def test_tgb_weighted_layout_numbers_string_ids_by_first_appearance_and_logs_weights():
    s = _read("time,src,dst,weight\n10,a,b,0\n11,c,a,4\n12,b,c,8\n", "weighted")
    # a (row 1 source) = 0, b = 1, c = 2; weight 0 is read as 1, features log2(w)
    assert s.src.tolist() == [0, 2, 1] and s.dst.tolist() == [1, 0, 2]
    assert s.t.tolist() == [10.0, 11.0, 12.0] and s.msg.view(-1).tolist() == [0.0, 2.0, 3.0]
    assert s.x.shape == (3, 1)


def test_tgb_comment_flight_and_jodie_layouts_against_hand_values():
    c = _read("ts,src,dst,num_words,score\n5,u,v,500,3\n", "comment")
    assert c.msg.tolist() == [[pytest.approx(0.1), 3.0]]
    f = _read("day,src,dst,callsign,typecode\n2019-01-02,LHR,JFK,AB1,B7\n2019-01-03,JFK,LHR,,\n", "flight")
    # dates are UTC midnights; a callsign is padded with ! to 8: A -> 65 - 35, digits as is, ! -> -1
    assert f.t.tolist() == [1546387200.0, 1546473600.0] and f.src.tolist() == [0, 1] and f.dst.tolist() == [1, 0]
    assert f.msg[0].tolist() == [30, 31, 1, -1, -1, -1, -1, -1, 31, 7, -1, -1, -1, -1, -1, -1]
    assert f.msg[1].tolist() == [-1] * 16
    j = _read("user_id,item_id,timestamp,state_label,f1\n0,0,1.0,0,0.5\n2,1,2.5,0,0.25\n", "jodie")
    # destinations after the sources (max source 2 + 1), timestamps cut to whole numbers as TGB's astype(int)
    assert j.src.tolist() == [0, 2] and j.dst.tolist() == [3, 4] and j.t.tolist() == [1.0, 2.0]
    assert j.msg.view(-1).tolist() == [0.5, 0.25] and j.x.shape == (5, 1)
    with pytest.raises(DatasetError, match="row 3: source id 'x' is not an integer"):
        _read("user_id,item_id,timestamp,state_label\n0,0,1,0\nx,1,2,0\n", "jodie")
    with pytest.raises(DatasetError, match="the comment layout has at least 5"):
        _read("a,b,c\n1,2,3\n", "comment")


def _tgb_zip(folder, name="tgbl-toy", drop_key=False, short_last=True):
    """A 20-event jodie stream at times 0..19 and per-event negatives; returns the tables."""
    rows = [(k % 4, k % 3, float(k)) for k in range(20)]
    csv = "user_id,item_id,timestamp,state_label,f\n" + "".join(f"{u},{i},{t},0,{k}\n"
                                                               for k, (u, i, t) in enumerate(rows))
    tables = {}
    # TGB: validation (13.3, 16.15] = events 14..16, test 17..19; ids: item + 4
    for split, events in (("val", range(14, 17)), ("test", range(17, 20))):
        table = {}
        for k in events:
            u, i, t = rows[k]
            negs = np.array([4, 5, 6][: 2 if (short_last and k == events[-1]) else 3], dtype=np.int64)
            table[(np.int64(u), np.int64(i + 4), np.int64(int(t)))] = negs
        if drop_key and split == "test":
            table.pop(next(iter(table)))
        tables[split] = table
    folder.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(folder / f"{name}.zip", "w") as zf:
        zf.writestr(f"{name}/{name}_edgelist_v2.csv", csv)
        zf.writestr(f"{name}/{name}_val_ns_v2.pkl", pickle.dumps(tables["val"]))
        zf.writestr(f"{name}/{name}_test_ns_v2.pkl", pickle.dumps(tables["test"]))
    return tables


def _load(tmp_path, folder, name="tgbl-toy", **args):
    graphkit.catalog.load()
    return load_dataset(DataConfig(name=f"tgb:{name}", root=str(tmp_path / "root"),
                                   args={"dir": str(folder), "layout": "jodie", **args}))


def test_tgb_family_reads_a_zip_with_tgb_split_and_aligned_negatives(tmp_path):
    _tgb_zip(tmp_path / "raw")
    dataset = _load(tmp_path, tmp_path / "raw")
    assert dataset.metric == "mrr" and dataset.task == "temporal_link_prediction"
    split = dataset.splits[0]
    # TGB's split: 70 / 85 % time quantiles, every earlier event in training (no held-out node)
    assert split["train"].tolist() == list(range(14)) and split["valid"].tolist() == [14, 15, 16]
    assert split["test"].tolist() == [17, 18, 19]
    negs = dataset.extra["eval_negatives"]
    assert negs["valid"].tolist() == [[4, 5, 6], [4, 5, 6], [4, 5, -1]]
    assert negs["test"].tolist() == [[4, 5, 6], [4, 5, 6], [4, 5, -1]]


def test_tgb_family_refuses_mismatched_or_unsafe_files_in_one_line(tmp_path):
    _tgb_zip(tmp_path / "missing", drop_key=True)
    with pytest.raises(DatasetError, match="no negatives for event 17 .*do not belong together"):
        _load(tmp_path, tmp_path / "missing")

    class Evil:
        def __reduce__(self):
            return (os.system, ("echo pwned",))

    evil = tmp_path / "evil"
    evil.mkdir()
    (evil / "tgbl-toy_edgelist.csv").write_text("u,i,t,l\n0,0,1,0\n1,1,2,0\n")
    (evil / "tgbl-toy_val_ns.pkl").write_bytes(pickle.dumps(Evil()))
    (evil / "tgbl-toy_test_ns.pkl").write_bytes(pickle.dumps({}))
    with pytest.raises(DatasetError, match="not a pickle of NumPy arrays .*refusing to load global"):
        _load(tmp_path, evil)
    # a table whose negatives are text, not node ids
    (evil / "tgbl-toy_val_ns.pkl").write_bytes(pickle.dumps({}))
    (evil / "tgbl-toy_test_ns.pkl").write_bytes(pickle.dumps({(1, 3, 2): "abc"}))  # the one test event
    with pytest.raises(DatasetError, match="are not node ids"):
        _load(tmp_path, evil)
    (evil / "tgbl-toy_test_ns.pkl").unlink()
    with pytest.raises(DatasetError, match="no tgbl-toy_test_ns"):
        _load(tmp_path, evil)
    graphkit.catalog.load()
    with pytest.raises(DatasetError, match="not a TGB link dataset .*data.args.layout"):
        load_dataset(DataConfig(name="tgb:tgbl-mine", root=str(tmp_path / "root")))
    with pytest.raises(DatasetError, match="valid layouts are jodie, weighted, comment, flight"):
        load_dataset(DataConfig(name="tgb:tgbl-wiki", root=str(tmp_path / "root"), args={"layout": "csv"}))


def _uci_as_tgb(mirror, folder, events=3000, negatives=10):
    """The mirror's UCI stream (first ``events``) written in TGB's jodie layout with random
    negatives per validation / test event, the way TGB publishes a tgbl-* dataset."""
    import pandas as pd

    frame = pd.read_csv(Path(mirror) / "dyglib" / "uci" / "ml_uci.csv").iloc[:events]
    src, dst, t = frame.u.to_numpy() - 1, frame.i.to_numpy() - 1, frame.ts.to_numpy().astype(np.int64)
    shifted = dst + src.max() + 1
    val_time, test_time = np.quantile(t, [0.7, 0.85])
    g = np.random.default_rng(0)
    candidates = np.arange(shifted.min(), shifted.max() + 1)
    folder.mkdir(parents=True)
    for split, mask in (("val", (t > val_time) & (t <= test_time)), ("test", t > test_time)):
        table = {(np.int64(s), np.int64(d), np.int64(tt)): g.choice(candidates, negatives, replace=False)
                 for s, d, tt in zip(src[mask], shifted[mask], t[mask])}
        (folder / f"tgbl-ucislice_{split}_ns.pkl").write_bytes(pickle.dumps(table))
    lines = "".join(f"{s},{d},{tt},0,0\n" for s, d, tt in zip(src, dst, t))
    (folder / "tgbl-ucislice_edgelist.csv").write_text("user_id,item_id,timestamp,state_label,f\n" + lines)


def test_tgb_protocol_trains_tgn_on_real_uci_events_and_reports_mrr(mirror, tmp_path):
    _uci_as_tgb(mirror, tmp_path / "raw")
    result = graphkit.train(REPO_CONFIGS / "tgn" / "uci.yaml", runs_root=tmp_path / "runs", overrides=[
        "data.name=tgb:tgbl-ucislice", f"data.root={tmp_path / 'root'}",
        f"data.args={{'dir': '{tmp_path / 'raw'}', 'layout': 'jodie'}}", "task.negatives=[random]",
        "trainer.epochs=2", "seeds=[0]", "tracking.wandb.mode=disabled", "optim.lr=0.001"])
    test = result.results["test"]
    # ranked against 10 random destinations, chance is H(11) / 11 = 0.27; a trained TGN is well above
    assert test["mrr"]["mean"] > 0.4 and "ap" in test
    run = graphkit.load_run(result.run_dir)
    assert run.task.metric == "mrr"
