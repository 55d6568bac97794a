import json

import pytest

from graphkit.config import DataConfig
from graphkit.datasets import load_dataset
from graphkit.datasets.tag_webkb import read_cstag_csv
from graphkit.errors import DatasetError

HEADER = "url,raw_text,category,node_id,label,len,neighbor_ids\n"


def _write(path, rows):
    lines = [f'u{i},"{text}",{cat},{node},{label},1,"{json.dumps(nb)}"\n' for i, (text, cat, node, label, nb)
             in enumerate(rows)]
    path.write_text(HEADER + "".join(lines))
    return path


def test_read_cstag_csv_reads_texts_labels_and_undirected_edges(tmp_path):
    # rows out of node order; node 2 names node 0, node 0 names node 1 twice
    file = _write(tmp_path / "toy.csv", [("page two; with a comma, here", "faculty", 2, 1, [0]),
                                         ("page zero", "student", 0, 0, [1, 1]),
                                         ("page one", "student", 1, 0, [])])
    ds = read_cstag_csv(file, "tag:toy")
    assert ds.extra["raw_texts"] == ["page zero", "page one", "page two; with a comma, here"]
    assert ds.extra["label_names"] == ["student", "faculty"] and ds.data.y.tolist() == [0, 0, 1]
    assert sorted(zip(*ds.data.edge_index.tolist())) == [(0, 1), (0, 2), (1, 0), (2, 0)]
    assert len(ds.splits) == 10 and ds.num_features == 0


def test_read_cstag_csv_rejects_two_names_for_one_class(tmp_path):
    file = _write(tmp_path / "toy.csv", [("a", "student", 0, 0, []), ("b", "staff", 1, 0, [])])
    with pytest.raises(DatasetError, match=r"class 0 has 2 category names \['staff', 'student'\]"):
        read_cstag_csv(file, "tag:toy")


def test_read_cstag_csv_names_a_neighbour_out_of_range(tmp_path):
    file = _write(tmp_path / "toy.csv", [("a", "student", 0, 0, [5]), ("b", "staff", 1, 1, [])])
    with pytest.raises(DatasetError, match="node 0 names neighbour 5; expected node ids 0..1"):
        read_cstag_csv(file, "tag:toy")


def test_read_cstag_csv_names_missing_columns(tmp_path):
    (tmp_path / "bad.csv").write_text("url,raw_text\nx,y\n")
    with pytest.raises(DatasetError, match="no column category, node_id, label, neighbor_ids"):
        read_cstag_csv(tmp_path / "bad.csv", "tag:toy")


def test_tag_cornell_from_the_mirror(mirror, tmp_path):
    ds = load_dataset(DataConfig(name="tag:cornell", root=str(tmp_path)))
    assert ds.data.num_nodes == 191 == len(ds.extra["raw_texts"]) and ds.num_classes == 5
    assert ds.data.edge_index.size(1) == 549
    assert sorted(ds.extra["label_names"]) == ["course", "faculty", "project", "staff", "student"]
    assert ds.data.y.bincount().tolist() == [83, 17, 42, 17, 32]
