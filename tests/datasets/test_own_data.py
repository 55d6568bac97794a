import pytest
import torch
from torch_geometric.data import Data

from graphkit.config import DataConfig
from graphkit.datasets import load_dataset
from graphkit.datasets.own_data import kfold_splits
from graphkit.errors import DatasetError
from tests.datasets.own_data_helpers import tiny_graphs, write_edge_list_folder, write_saved_graphs


def _load(path, tmp_path, **kwargs):
    return load_dataset(DataConfig(name=str(path), root=str(tmp_path / "data"), **kwargs))


def _save(tmp_path, graphs, meta=None):
    path = tmp_path / "g.pt"
    torch.save(graphs, path)
    if meta is not None:
        path.with_suffix(".yaml").write_text(meta)
    return path


def test_saved_graphs_task_inferred_from_labels(tmp_path):
    graphs = tiny_graphs()
    assert _load(_save(tmp_path, graphs), tmp_path).task == "graph_classification"
    for g, value in zip(graphs, torch.linspace(0, 1, 20)):
        g["y"] = value.view(1)  # fractional floats: regression
    regression = _load(_save(tmp_path, graphs), tmp_path)
    assert (regression.task, regression.metric, regression.num_classes) == ("graph_regression", "mae", 1)
    assert regression.graphs[3].y.shape == (1, 1)
    for i, g in enumerate(graphs):
        g["y"] = torch.tensor([[i % 2, 1.0, float("nan")]])  # 0/1/NaN columns: multi-label
    assert _load(_save(tmp_path, graphs), tmp_path).task == "graph_multilabel"


def test_saved_graphs_ambiguous_labels_ask_for_the_task(tmp_path):
    graphs = tiny_graphs()
    for g in graphs:
        g["y"] = g["y"].float()  # 0.0 / 1.0: classes or regression targets?
    path = _save(tmp_path, graphs)
    with pytest.raises(DatasetError, match=r"g.pt: float labels with whole values .*set data.args.task"):
        _load(path, tmp_path)
    assert _load(path, tmp_path, args={"task": "graph_regression"}).metric == "mae"
    path.with_suffix(".yaml").write_text("task: graph_classification\nmetric: macro_f1\n")
    dataset = _load(path, tmp_path)
    assert (dataset.task, dataset.metric, dataset.num_classes) == ("graph_classification", "macro_f1", 2)


def test_saved_graphs_given_splits_from_metadata(tmp_path):
    meta = "splits:\n- {train: [0, 1, 2, 3], valid: [4, 5], test: [6, 7]}\n- {train: [8], valid: [9], test: [10]}\n"
    dataset = _load(write_saved_graphs(tmp_path / "g.pt", meta), tmp_path)
    assert dataset.extra["split_protocol"] == "given" and len(dataset.splits) == 2
    assert dataset.splits[0]["test"].tolist() == [6, 7]
    assert len(_load(tmp_path / "g.pt", tmp_path, split="random").splits[0]["test"]) == 4  # 20% of 20
    (tmp_path / "g.yaml").write_text("splits: {train: [0], valid: [1], test: [25]}\n")
    with pytest.raises(DatasetError, match=r"given split 0 test index 25 out of range; expected 0..19"):
        _load(tmp_path / "g.pt", tmp_path)
    (tmp_path / "g.yaml").write_text("tasks: graph_regression\n")
    with pytest.raises(DatasetError, match=r"g.yaml: unknown key 'tasks'; valid keys: task, metric, splits"):
        _load(tmp_path / "g.pt", tmp_path)


def test_saved_graphs_must_be_plain_tensors(tmp_path):
    path = tmp_path / "objects.pt"
    torch.save([Data(**g) for g in tiny_graphs()], path)  # pickled Data objects, not weights-only
    with pytest.raises(DatasetError, match=r"objects.pt: cannot be read with torch.load\(weights_only=True\)"):
        _load(path, tmp_path)
    bad = tiny_graphs()
    bad[3]["x"] = torch.ones(2, 2)  # graph 3 has 6 nodes
    with pytest.raises(DatasetError, match=r"\(graph 3\): edge_index\[0, 2\] is node 2; expected node ids 0..1"):
        _load(_save(tmp_path, bad), tmp_path)


@pytest.mark.parametrize("change,message", [
    ({"edge_index": "0 1 1 2"}, r"\(graph 3\): edge_index is a str; expected a tensor"),
    ({"y": [1]}, r"\(graph 3\): y is a list; expected a tensor"),
    ({"edge_index": torch.tensor([[0, 1], [1, -1]])}, r"\(graph 3\): edge_index\[1, 1\] is node -1; expected node ids"),
    ({"edge_index": torch.tensor([[0.0, 1.5], [1.0, 2.0]])}, r"edge_index\[0, 1\] is 1.5; expected integer node ids"),
    ({"edge_index": torch.tensor([[0, 1], [1, 2], [2, 0]])},
     r"edge_index has shape \[3, 2\], one edge per row; expected \[2, num_edges\] \(transpose it"),
    ({"edge_index": torch.tensor([0, 1, 1, 2])}, r"edge_index has shape \[4\]; expected \[2, num_edges\]"),
])
def test_saved_graphs_malformed_graph_is_one_line(tmp_path, change, message):
    graphs = tiny_graphs()
    graphs[3].update(change)
    with pytest.raises(DatasetError, match=message):
        _load(_save(tmp_path, graphs), tmp_path)


def test_saved_graphs_file_that_is_not_torch_save_output(tmp_path):
    path = tmp_path / "g.pt"
    path.write_text("source,target\n0,1\n")
    with pytest.raises(DatasetError, match=r"g.pt: is not a file written by torch.save"):
        _load(path, tmp_path)
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 40)  # a zip header, then nothing
    with pytest.raises(DatasetError, match=r"g.pt: cannot be read with torch.load\(weights_only=True\)"):
        _load(path, tmp_path)


def test_own_node_labels_negative_or_fractional_are_refused(tmp_path):
    n = 6
    ring = torch.stack([torch.arange(n), (torch.arange(n) + 1) % n])
    node = {"x": torch.eye(n), "edge_index": ring, "y": torch.tensor([0, 1, -1, 0, 1, 0])}
    with pytest.raises(DatasetError, match=r"node 2 has label -1; expected class ids >= 0 for every node"):
        _load(_save(tmp_path, [node]), tmp_path, split="random")
    graphs = tiny_graphs()
    graphs[5]["y"] = torch.tensor([0.5])
    with pytest.raises(DatasetError, match=r"label 0.5 of item 5 is not a class id"):
        _load(_save(tmp_path, graphs), tmp_path, args={"task": "graph_classification"})


def test_edge_list_folder_builds_undirected_graph_with_given_split(tmp_path):
    dataset = _load(write_edge_list_folder(tmp_path / "g"), tmp_path)
    data = dataset.data
    assert (dataset.task, data.num_nodes, data.edge_index.size(1)) == ("node_classification", 10, 42)
    assert data.y.tolist() == [0] * 5 + [1] * 5 and data.x.shape == (10, 2)
    assert dataset.splits[0]["train"].tolist() == [0, 1, 5, 6] and dataset.splits[0]["test"].tolist() == [3, 4, 8, 9]
    directed = _load(tmp_path / "g", tmp_path, args={"directed": True})
    assert directed.data.edge_index.size(1) == 21
    with pytest.raises(DatasetError, match="unknown key 'direct'.*valid keys: task, metric, directed"):
        _load(tmp_path / "g", tmp_path, args={"direct": True})


def test_edge_list_folder_bad_files_name_the_file(tmp_path):
    folder = write_edge_list_folder(tmp_path / "g", with_split=False)
    (folder / "edges.csv").write_text("0,1\n")
    (folder / "labels.csv").unlink()
    with pytest.raises(DatasetError, match=r"labels.csv not found"):
        _load(folder, tmp_path)
    (folder / "labels.csv").write_text("0\n1\nx\n" + "0\n" * 7)
    with pytest.raises(DatasetError, match=r"labels.csv: line 3: 'x' is not a number; expected a class id"):
        _load(folder, tmp_path)


@pytest.mark.parametrize("edges,message", [
    ("0,1\n3,12\n", r"edges.csv: line 2: node id 12 is out of range; expected two integer node ids 0..9 per row"),
    ("source,target\n0,1\n2,-1\n", r"edges.csv: line 3: node id -1 is out of range; expected two integer"),
    ("0,1\n1.5,2\n", r"edges.csv: line 2: node id 1.5 is not an integer; expected two integer node ids"),
    ("source,target\n", r"edges.csv: has a header line but no rows; expected two integer node ids"),
    ("", r"edges.csv: is empty; expected two integer node ids"),
    ("0,1,2\n1,2,3\n", r"edges.csv: rows have 3 values; expected two integer node ids"),
    ("0,1\n1,b\n", r"edges.csv: line 2: 'b' is not a number"),
    ("0,1\n1\n", r"edges.csv: line 2 has an empty value"),
])
def test_edge_list_folder_bad_edges_name_line_and_expectation(tmp_path, edges, message):
    folder = write_edge_list_folder(tmp_path / "g", with_split=False)
    (folder / "edges.csv").write_text(edges)
    with pytest.raises(DatasetError, match=message):
        _load(folder, tmp_path)


def test_edge_list_folder_split_csv_with_or_without_header(tmp_path):
    folder = write_edge_list_folder(tmp_path / "g", with_split=False)
    rows = ["train"] * 6 + ["valid", "val", "test", "unused"]
    (folder / "split.csv").write_text("\n".join(rows) + "\n")  # no header: the first row is node 0's
    split = _load(folder, tmp_path).splits[0]
    assert split["train"].tolist() == list(range(6)) and split["valid"].tolist() == [6, 7]
    assert split["test"].tolist() == [8]  # node 9: unused
    (folder / "split.csv").write_text("set\n" + "\n".join(rows) + "\n")
    assert _load(folder, tmp_path).splits[0]["train"].tolist() == list(range(6))
    (folder / "split.csv").write_text("set\n" + "\n".join(["trian"] * 10) + "\n")
    with pytest.raises(DatasetError, match=r"split.csv: line 2: 'trian'; expected one of train, valid, test"):
        _load(folder, tmp_path)
    (folder / "split.csv").write_text("\n".join(["x"] * 40) + "\n")
    with pytest.raises(DatasetError, match=r"split.csv: has 40 non-empty lines; expected one per node: 10"):
        _load(folder, tmp_path)


def test_kfold_splits_partition_every_item_once():
    for labels in (torch.tensor([0, 1] * 15), None):
        splits = kfold_splits(30, labels)
        assert len(splits) == 10
        assert sorted(torch.cat([s["test"] for s in splits]).tolist()) == list(range(30))
        for s in splits:
            assert len(set(s["train"].tolist()) | set(s["valid"].tolist()) | set(s["test"].tolist())) == 30
