import pytest

from graphkit.config import DataConfig
from graphkit.datasets import DATASETS, load_dataset
from graphkit.datasets.resolve import resolve_dataset
from graphkit.errors import DatasetError, UnknownNameError
from graphkit.registry import Registry


def test_resolve_family_member_is_the_curated_entry():
    assert resolve_dataset(DataConfig(name="tu:MUTAG")) is DATASETS.get("mutag")
    assert resolve_dataset(DataConfig(name="tu:IMDB-BINARY")) is DATASETS.get("imdb-binary")
    assert resolve_dataset(DataConfig(name="ogb:ogbg-molbace")) is DATASETS.get("molbace")
    assert resolve_dataset(DataConfig(name="ogb:ogbl-ddi")) is DATASETS.get("ogbl-ddi")
    assert resolve_dataset(DataConfig(name="ogb:ogbg-molhiv")) is DATASETS.get("molhiv")
    assert DATASETS.get("mutag").integrity == "pinned"


def test_resolve_uncurated_members_are_trusted_on_first_use():
    nci109 = resolve_dataset(DataConfig(name="tu:NCI109"))
    assert (nci109.name, nci109.integrity, nci109.splits[0]) == ("tu:NCI109", "trust-on-first-use", "cv10")
    bbbp = resolve_dataset(DataConfig(name="ogb:ogbg-molbbbp"))
    assert (bbbp.task, bbbp.metric, bbbp.splits) == ("graph_multilabel", "rocauc", ("scaffold",))
    arxiv = resolve_dataset(DataConfig(name="ogb:ogbn-arxiv"))
    assert (arxiv.task, arxiv.metric) == ("node_classification", "accuracy")
    assert resolve_dataset(DataConfig(name="ogb:ogbl-vessel")).task == "link_prediction"


def test_resolve_bad_names_are_user_errors():
    with pytest.raises(UnknownNameError, match="unknown dataset 'nci109'.*tu:<NAME>"):
        resolve_dataset(DataConfig(name="nci109"))
    with pytest.raises(DatasetError, match="unknown OGB dataset 'ogbg-nope'"):
        resolve_dataset(DataConfig(name="ogb:ogbg-nope"))
    with pytest.raises(DatasetError, match="heterogeneous graphs are not supported"):
        resolve_dataset(DataConfig(name="ogb:ogbn-mag"))
    with pytest.raises(DatasetError, match="task type 'KG completion' is not supported"):
        resolve_dataset(DataConfig(name="ogb:ogbl-wikikg2"))
    with pytest.raises(DatasetError, match="expected tu:<NAME>"):
        resolve_dataset(DataConfig(name="tu:../x"))
    with pytest.raises(DatasetError, match="cannot import module"):
        resolve_dataset(DataConfig(name="pyg:no_such_module.Data"))


def test_pyg_class_by_import_path_with_args(tmp_path):
    cfg = DataConfig(name="pyg:torch_geometric.datasets.FakeDataset", root=str(tmp_path),
                     args={"num_graphs": 30, "avg_num_nodes": 8, "num_channels": 3, "num_classes": 2})
    dataset = load_dataset(cfg)
    assert dataset.task == "graph_classification" and len(dataset.graphs) == 30
    assert dataset.num_features == 3 and len(dataset.splits) == 10
    other = load_dataset(DataConfig(name=cfg.name, root=str(tmp_path), args={**cfg.args, "num_graphs": 20}))
    assert len(other.graphs) == 20  # the arguments key the cache
    karate = load_dataset(DataConfig(name="pyg:torch_geometric.datasets.KarateClub", root=str(tmp_path)))
    assert karate.task == "node_classification" and karate.num_classes == 4 and karate.data.num_nodes == 34
    with pytest.raises(DatasetError, match="bad data.args for KarateClub"):
        load_dataset(DataConfig(name="pyg:torch_geometric.datasets.KarateClub", root=str(tmp_path),
                                args={"nope": 1}))


@pytest.mark.slow
def test_uncurated_family_path_matches_curated_entry_on_real_data(mirror, tmp_path):
    # The same TU zip / OGB folder through the family loader (no curated entry in the
    # registry) and through the curated one: identical graphs and splits.
    for family, curated in (("tu:PTC_MR", "ptc_mr"), ("ogb:ogbg-molbace", "molbace")):
        member = load_dataset(DataConfig(name=family, root=str(tmp_path)), registry=Registry("dataset"))
        known = load_dataset(DataConfig(name=curated, root=str(tmp_path)))
        assert (member.task, member.metric, member.num_classes) == (known.task, known.metric, known.num_classes)
        assert len(member.graphs) == len(known.graphs)
        for a, b in zip(member.graphs, known.graphs):
            assert a.x.equal(b.x) and a.edge_index.equal(b.edge_index) and a.y.nan_to_num(-1).equal(b.y.nan_to_num(-1))
        for s, t in zip(member.splits, known.splits):
            assert all(s[k].equal(t[k]) for k in ("train", "valid", "test"))
