"""Hostile and careless TAG directories: each is refused with one message naming the
file, the item and what was expected (or read with a warning where the data is usable)."""

import io
import json
import pickle

import numpy as np
import pytest

from graphkit.datasets import load_tag_directory
from graphkit.errors import DatasetError, GraphkitWarning
from tests.pickle_payloads import RanPayload as _Payload

TEXTS = ["graphs paper", "stars paper", "cooking paper", "music paper", "more graphs"]
NAMES = ["x", "y", "z"]


def _write(folder, **files):
    """A valid 5-node, 3-class TAG directory with ``files`` replaced (``None`` removes)."""
    folder.mkdir()
    default = {
        "raw_texts.json": json.dumps(TEXTS),
        "label_names.json": json.dumps(NAMES),
        "edge_index.npy": np.array([[0, 1, 2, 3], [1, 2, 3, 4]]),
        "y.npy": np.array([0, 1, 2, 0, 1]),
        "split.json": json.dumps({"train": [0, 1], "valid": [2], "test": [3, 4]}),
    }
    default.update(files)
    for name, content in default.items():
        if content is None:
            continue
        if isinstance(content, np.ndarray):
            np.save(folder / name, content)
        elif isinstance(content, bytes):
            (folder / name).write_bytes(content)
        else:
            (folder / name).write_text(content)
    return folder


def _header_only(shape) -> bytes:
    """An .npy header claiming ``shape`` with no data after it."""
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": "<i8", "fortran_order": False, "shape": shape})
    return buf.getvalue()


def test_valid_directory_loads(tmp_path):
    ds = load_tag_directory(_write(tmp_path / "ok"))
    assert ds.data.num_nodes == 5 and ds.num_classes == 3 and ds.splits[0]["test"].tolist() == [3, 4]


def test_pickled_edge_index_is_refused_without_running_it(tmp_path):
    folder = _write(tmp_path / "bad")
    np.save(folder / "edge_index.npy", np.array([_Payload(), 1], dtype=object), allow_pickle=True)
    with pytest.raises(DatasetError, match=r"edge_index\.npy: holds pickled data \(an object array or a pickle\), "
                                           r"which graphkit never loads; expected an integer array \[2, E\]"):
        load_tag_directory(folder)
    assert not _Payload.ran


def test_raw_pickle_named_npy_is_refused(tmp_path):
    folder = _write(tmp_path / "bad", **{"y.npy": pickle.dumps(_Payload())})
    with pytest.raises(DatasetError, match=r"y\.npy: holds pickled data"):
        load_tag_directory(folder)
    assert not _Payload.ran


@pytest.mark.parametrize("files, message", [
    ({"raw_texts.json": "[]"}, r"raw_texts\.json: is an empty list; expected a JSON list of strings, one text per node"),
    ({"raw_texts.json": b'["caf\xe9"]'}, r"raw_texts\.json: not UTF-8 text \(byte 5 is 0xe9\)"),
    ({"label_names.json": b'["\xff"]'}, r"label_names\.json: not UTF-8 text \(byte 2 is 0xff\)"),
    ({"raw_texts.json": '["a", "b"'}, r"raw_texts\.json: malformed JSON at line 1 column 10"),
    ({"split.json": "{train: [0]}"}, r"split\.json: malformed JSON at line 1 column 2"),
    ({"label_names.json": "[" * 100000}, r"label_names\.json: JSON nested too deeply"),
    ({"raw_texts.json": json.dumps(["a", 7, "c", "d", "e"])},
     r"raw_texts\.json: item 1 is 7 \(int\); expected a string \(node text\)"),
    ({"raw_texts.json": json.dumps({"0": "a"})}, r"raw_texts\.json: holds a dict; expected a JSON list of strings"),
    ({"raw_texts.json": json.dumps(["", " ", "", "", ""])}, r"raw_texts\.json: all 5 texts are empty"),
    ({"label_names.json": "[]"}, r"label_names\.json: is an empty list; expected a JSON list of strings, one name "
                                 r"per class"),
    ({"label_names.json": json.dumps(["x", 1, "z"])}, r"label_names\.json: item 1 is 1 \(int\); expected a string "
                                                      r"\(class name\)"),
    ({"label_names.json": json.dumps(["x", "", "z"])}, r"label_names\.json: item 1 is an empty string"),
    ({"label_names.json": json.dumps(["x", "x", "z"])}, r"label_names\.json: class name 'x' appears more than once"),
    # too few label names: fewshot's "IndexError: Target 5 is out of bounds", zeroshot's 3-class table
    ({"label_names.json": json.dumps(["x", "y"])},
     r"y\.npy: node 2 has class 2; label_names\.json names 2 classes, too few; expected .* class ids 0\.\.1"),
    ({"y.npy": np.array([0, 1, -1, 0, 1])}, r"y\.npy: node 2 has class -1; unlabelled nodes are not supported"),
    ({"y.npy": np.array([0.0, 1.5, 2.0, 0.0, 1.0])}, r"y\.npy: entry \[1\] is 1\.5 \(float64\); expected .*whole"),
    ({"y.npy": np.array([0, 1, 2])}, r"y\.npy: has shape \[3\]; expected an integer array \[5\]"),
    ({"y.npy": np.array(["a", "b", "c", "a", "b"])}, r"y\.npy: has dtype <U1; expected"),
    ({"edge_index.npy": np.array([[0, 1], [1, 2], [2, 3]])},
     r"edge_index\.npy: has shape \[3, 2\] \(an edge list: save edge_index\.T instead\); expected an integer "
     r"array \[2, E\]"),
    ({"edge_index.npy": np.array([[0, -1], [1, 2]])},
     r"edge_index\.npy: edge 1 \(source\) is node -1; expected node ids 0\.\.4 \(5 texts in raw_texts\.json\)"),
    ({"edge_index.npy": np.array([[0, 1], [1, 9]])}, r"edge_index\.npy: edge 1 \(target\) is node 9; expected"),
    ({"edge_index.npy": np.array([[0.0, 1.5], [1.0, 2.0]])}, r"edge_index\.npy: entry \[0, 1\] is 1\.5 \(float64\)"),
    ({"edge_index.npy": np.array([[0.0, np.nan], [1.0, 2.0]])}, r"edge_index\.npy: entry \[0, 1\] is nan"),
    ({"edge_index.npy": b"\x93NUMPY\x01\x00"}, r"edge_index\.npy: not a readable \.npy file"),
    ({"y.npy": _header_only((10 ** 13,))}, r"y\.npy: not a readable \.npy file \(Unable to allocate"),
    ({"split.json": json.dumps({"train": [0], "test": [3, 99]})},
     r"split\.json: split 'test' item 1 is node 99; expected node ids 0\.\.4 \(5 texts in raw_texts\.json\)"),
    ({"split.json": json.dumps({"train": [-1], "test": [3]})}, r"split 'train' item 0 is node -1"),
    ({"split.json": json.dumps({"train": [0], "test": []})},
     r"split\.json: split has an empty 'test' list; expected at least one test node"),
    ({"split.json": json.dumps([{"train": [0], "test": [1]}, {"train": [0]}])}, r"split 1 has no 'test' list"),
    ({"split.json": json.dumps({"train": [0.5], "test": [1]})}, r"split 'train' item 0 is 0\.5; expected an integer"),
    ({"split.json": json.dumps({"train": [0], "tset": [1]})}, r"split has unknown key 'tset'; valid keys: train, "
                                                              r"valid, test"),
    ({"split.json": "[]"}, r"split\.json: is an empty list"),
    ({"label_descriptions.json": json.dumps(["a", 2, "c"])}, r"label_descriptions\.json: item 1 is 2"),
    ({"label_descriptions.json": b"\xfe"}, r"label_descriptions\.json: not UTF-8 text"),
])
def test_bad_file_is_refused_naming_file_item_and_expectation(tmp_path, files, message):
    folder = _write(tmp_path / "bad", **files)
    with pytest.raises(DatasetError, match=message) as e:
        load_tag_directory(folder)
    assert "\n" not in str(e.value)


@pytest.mark.parametrize("name", ["edge_index.npy", "y.npy"])
def test_integral_floats_are_read_with_a_warning(tmp_path, name):
    arrays = {"edge_index.npy": np.array([[0.0, 1.0], [1.0, 2.0]]), "y.npy": np.array([0.0, 1.0, 2.0, 0.0, 1.0])}
    folder = _write(tmp_path / "ok", **{name: arrays[name]})
    with pytest.warns(GraphkitWarning, match=f"{name}: holds float64 values; read as integers"):
        ds = load_tag_directory(folder)
    assert ds.data.y.dtype.is_floating_point is False and ds.data.y.tolist() == [0, 1, 2, 0, 1]


def test_empty_edge_array_is_a_graph_without_edges(tmp_path):
    ds = load_tag_directory(_write(tmp_path / "ok", **{"edge_index.npy": np.zeros((0,))}))
    assert ds.data.edge_index.shape == (2, 0)
