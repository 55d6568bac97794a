import json

import pytest

from graphkit.errors import ConfigError, DatasetError
from graphkit.text.class_descriptions import class_descriptions, match_class_descriptions, read_class_descriptions
from graphkit.text.text_graph import label_texts


def test_read_class_descriptions_reads_csv_text_blocks_and_json(tmp_path):
    (tmp_path / "d.csv").write_text(',description\nRule_Learning,"rules, learned"\nTheory,proofs\n')
    assert read_class_descriptions(tmp_path / "d.csv") == {"Rule_Learning": "rules, learned", "Theory": "proofs"}
    (tmp_path / "d.txt").write_text("cs.AI (Artificial Intelligence)\nCovers AI.\nAnd more.\n\ncs.LG (Machine Learning)\n"
                                    "Covers learning.\n")
    assert read_class_descriptions(tmp_path / "d.txt") == {"cs.AI (Artificial Intelligence)": "Covers AI. And more.",
                                                           "cs.LG (Machine Learning)": "Covers learning."}
    (tmp_path / "d.json").write_text(json.dumps({"x": "ex"}))
    assert read_class_descriptions(tmp_path / "d.json") == {"x": "ex"}


def test_match_class_descriptions_follows_label_order_by_name():
    table = {"Theory": "proofs", "Rule Learning": "rules", "cs.AI (Artificial Intelligence)": "ai", "Other": "o"}
    assert match_class_descriptions(["theory", "Rule_Learning", "cs.AI"], table, "f.csv") == ["proofs", "rules", "ai"]


def test_match_class_descriptions_mismatch_is_one_line_naming_missing_and_extra():
    with pytest.raises(DatasetError) as e:
        match_class_descriptions(["Theory", "Neural_Networks", "Case_Based"], {"Theory": "t", "Neural Nets": "n"},
                                 "f.csv")
    message = str(e.value)
    assert message == ("f.csv: no description for classes Neural_Networks, Case_Based; names in the file that "
                       "match no class: Neural Nets")
    assert "\n" not in message


def test_class_descriptions_prefer_the_file_then_the_dataset_own(tmp_path):
    (tmp_path / "d.csv").write_text("name,description\nb,from file b\na,from file a\n")
    assert class_descriptions("mine", ["a", "b"], ["own a", "own b"], str(tmp_path / "d.csv")) == \
        ["from file a", "from file b"]
    assert class_descriptions("mine", ["a", "b"], ["own a", "own b"]) == ["own a", "own b"]
    assert class_descriptions("mine", ["a", "b"], None) is None


def test_class_descriptions_of_tag_cora_come_from_the_published_file(mirror, tmp_path):
    names = json.loads((mirror / "tag" / "cora" / "label_names.json").read_text())
    got = class_descriptions("tag:cora", names, None, root=str(tmp_path))
    assert len(got) == 7 and got[names.index("Theory")].startswith('The "Theory" category')


def test_label_texts_modes():
    assert label_texts(["Neural_Networks"], ["nets"], "about {c}", "names") == ["about Neural Networks"]
    assert label_texts(["Neural_Networks"], ["nets"], "about {c}", "descriptions") == ["nets"]
    assert label_texts(["Neural_Networks"], ["nets"], "about {c}", "both") == ["about Neural Networks. nets"]
    with pytest.raises(DatasetError, match="'descriptions' needs a description for every class"):
        label_texts(["a"], None, "about {c}", "descriptions")
    with pytest.raises(ConfigError, match="expected one of names, descriptions, both"):
        label_texts(["a"], None, "about {c}", "titles")
