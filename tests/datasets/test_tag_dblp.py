import pytest

from graphkit.config import DataConfig
from graphkit.datasets import load_dataset
from graphkit.datasets.tag_dblp import read_dblp_directory
from graphkit.errors import DatasetError

AREAS = ("Database", "Data Mining", "AI", "Information Retrieval")


def _write(folder, paper_author="10\t1\n11\t1\n11\t2\n12\t2\n13\t3\n"):
    folder.mkdir()
    (folder / "paper.txt").write_text("10\tA title\n11\tB title\n12\tC title\n13\tD title")
    (folder / "paper_author.txt").write_text(paper_author)
    (folder / "paper_conf.txt").write_text("10\t36\n11\t1234\n12\t36\n13\t1801\n")
    (folder / "categories.csv").write_text('name,description\nDatabase,"about data, stored"\nData Mining,dm\n'
                                           "AI,ai\nInformation Retrieval,ir\n")
    return folder


def test_read_dblp_directory_links_papers_that_share_an_author(tmp_path):
    # author 1 wrote 10 and 11, author 2 wrote 11 and 12, author 3 only 13
    ds = read_dblp_directory(_write(tmp_path / "dblp"))
    assert ds.extra["raw_texts"] == ["A title", "B title", "C title", "D title"]
    assert sorted(zip(*ds.data.edge_index.tolist())) == [(0, 1), (1, 0), (1, 2), (2, 1)]
    # venues 36 -> AI (2), 1234 -> Database (0), 1801 -> Data Mining (1)
    assert ds.data.y.tolist() == [2, 0, 2, 1] and ds.extra["label_names"] == list(AREAS)
    assert ds.extra["label_descriptions"][0] == "about data, stored"


def test_read_dblp_directory_names_an_unknown_paper(tmp_path):
    with pytest.raises(DatasetError, match="paper_author.txt: paper 99 is not in paper.txt"):
        read_dblp_directory(_write(tmp_path / "dblp", "10\t1\n99\t1\n"))


def test_read_dblp_directory_names_missing_files(tmp_path):
    (tmp_path / "d").mkdir()
    with pytest.raises(DatasetError, match="missing paper.txt, paper_author.txt, paper_conf.txt, categories.csv"):
        read_dblp_directory(tmp_path / "d")


def test_tag_dblp_from_the_mirror(mirror, tmp_path):
    ds = load_dataset(DataConfig(name="tag:dblp", root=str(tmp_path)))
    assert ds.data.num_nodes == 14376 and ds.num_classes == 4
    assert ds.data.edge_index.size(1) == 431326
    assert ds.data.y.bincount().tolist() == [5011, 2224, 4478, 2663]
    assert all(len(d) > 100 for d in ds.extra["label_descriptions"])
