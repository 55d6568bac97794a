import io
import pickle
import subprocess

import numpy as np
import pytest
import torch

from graphkit.datasets.numpy_pickle import load_numpy_pickle, load_numpy_torch_file
from graphkit.errors import DatasetError


class _Touch:
    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return subprocess.call, (["touch", self.marker],)


def test_load_numpy_pickle_reads_index_arrays():
    split = {"train": np.arange(4), "val": np.array([7], dtype=np.int32), "scale": np.float64(2.5)}
    out = load_numpy_pickle(pickle.dumps(split), "split.pickle")
    assert out["train"].tolist() == [0, 1, 2, 3] and out["val"].dtype == np.int32
    assert out["scale"] == 2.5


def test_load_numpy_pickle_refuses_code(tmp_path):
    marker = tmp_path / "MARKER"
    with pytest.raises(DatasetError, match="refusing to load global .*call"):
        load_numpy_pickle(pickle.dumps({"train": _Touch(marker)}), "split.pickle")
    assert not marker.exists()


def test_load_numpy_torch_file_reads_arrays_and_refuses_code(tmp_path):
    buf = io.BytesIO()
    torch.save({"edge": np.arange(6).reshape(3, 2)}, buf)
    assert load_numpy_torch_file(buf.getvalue(), "valid.pt")["edge"].shape == (3, 2)
    marker = tmp_path / "MARKER"
    evil = io.BytesIO()
    torch.save({"edge": _Touch(marker)}, evil)
    with pytest.raises(DatasetError, match="valid.pt: not a torch file"):
        load_numpy_torch_file(evil.getvalue(), "valid.pt")
    assert not marker.exists()


def test_load_numpy_torch_file_reads_ogb_ddi_split(mirror):
    payload = (mirror / "ogb/ogbl_ddi/split/target/valid.pt").read_bytes()
    out = load_numpy_torch_file(payload, "valid.pt")
    assert out["edge"].shape == (133489, 2) and out["edge_neg"].shape == (101882, 2)
