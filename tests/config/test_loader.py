from dataclasses import dataclass, field
from typing import Literal, Optional

import pytest

from graphkit.config import RunConfig, apply_overrides, from_dict, parse_override, to_dict
from graphkit.errors import ConfigError


@dataclass(frozen=True)
class Inner:
    lr: float = 0.1
    mode: Literal["a", "b"] = "a"


@dataclass(frozen=True)
class Outer:
    name: str
    steps: int = 3
    inner: Inner = field(default_factory=Inner)
    tags: tuple[str, ...] = ()
    limit: Optional[int] = None


def test_from_dict_builds_nested_and_converts_int_to_float():
    cfg = from_dict(Outer, {"name": "x", "inner": {"lr": 1}, "tags": ["a", "b"]})
    assert cfg.inner.lr == 1.0 and isinstance(cfg.inner.lr, float)
    assert cfg.tags == ("a", "b")
    assert cfg.limit is None


@pytest.mark.parametrize(
    "data, message",
    [
        ({"name": "x", "stepz": 1}, "unknown key 'stepz'; valid keys: inner, limit, name, steps, tags"),
        ({"name": "x", "inner": {"lrr": 1}}, "inner: unknown key 'lrr'; valid keys: lr, mode"),
        ({"name": "x", "steps": "3"}, "steps: expected int, got '3'"),
        ({"name": "x", "steps": True}, "steps: expected int, got True"),
        ({"name": "x", "inner": {"mode": "c"}}, "inner.mode: invalid value 'c'; valid options: 'a' | 'b'"),
        ({"steps": 1}, "name is required"),
        ({"name": "x", "limit": 1.5}, "limit: expected int | null, got 1.5"),
    ],
)
def test_from_dict_rejects_bad_input_with_key_path(data, message):
    with pytest.raises(ConfigError) as e:
        from_dict(Outer, data)
    assert message in str(e.value)


def test_parse_override_literals_and_strings():
    assert parse_override("optim.lr=1e-3") == (["optim", "lr"], 0.001)
    assert parse_override("model.name=gat") == (["model", "name"], "gat")
    assert parse_override("seeds=[0, 1]") == (["seeds"], [0, 1])
    assert parse_override("x=null") == (["x"], None)
    assert parse_override("x=true") == (["x"], True)
    with pytest.raises(ConfigError, match="key.path=value"):
        parse_override("novalue")


def test_apply_overrides_type_checks_and_does_not_mutate_input():
    data = {"name": "x", "inner": {"lr": 0.5}}
    cfg = apply_overrides(Outer, data, ["inner.lr=0.01", "steps=7"])
    assert cfg.inner.lr == 0.01 and cfg.steps == 7
    assert data["inner"]["lr"] == 0.5
    with pytest.raises(ConfigError, match="steps: expected int"):
        apply_overrides(Outer, data, ["steps=fast"])
    with pytest.raises(ConfigError, match="unknown key 'nope'"):
        apply_overrides(Outer, data, ["inner.nope=1"])


def test_run_config_model_section_is_typed_by_model_name():
    base = {"data": {"name": "cora"}, "model": {"name": "gcn", "hidden_channels": 16}}
    cfg = from_dict(RunConfig, base)
    assert type(cfg.model).__name__ == "MPNNConfig" and cfg.model.hidden_channels == 16
    with pytest.raises(ConfigError, match="unknown model 'gcnn'; valid choices: .*gcn"):
        from_dict(RunConfig, {"data": {"name": "cora"}, "model": {"name": "gcnn"}})
    with pytest.raises(ConfigError, match="model: unknown key 'hidden'"):
        from_dict(RunConfig, {"data": {"name": "cora"}, "model": {"name": "gcn", "hidden": 3}})
    with pytest.raises(ConfigError, match="optim: optim.lr must be > 0"):
        apply_overrides(RunConfig, base, ["optim.lr=0"])


def test_to_dict_round_trips():
    cfg = from_dict(RunConfig, {"data": {"name": "cora", "splits": [0, 2]}, "model": {"name": "gat", "heads": 8}})
    assert from_dict(RunConfig, to_dict(cfg)) == cfg


@pytest.mark.parametrize("text, value", [
    ("data.sources=[tag:cora]", ["tag:cora"]),  # the `pretrain --help` example
    ("data.sources=[tag:cora, /tmp/my tag, 'x,y']", ["tag:cora", "/tmp/my tag", "x,y"]),
    ("v=[gat, 3, 1.5, true, null]", ["gat", 3, 1.5, True, None]),
    ("v=[[a, b], [c]]", [["a", "b"], ["c"]]),
    ("v=[a,]", ["a"]),
    ("v=[]", []),
    ("v=[a, [b]", "[a, [b]"),  # unbalanced: the text itself, as outside a list
    ("v=__import__('os').getcwd()", "__import__('os').getcwd()"),  # never evaluated
])
def test_parse_override_bare_words_inside_lists(text, value):
    assert parse_override(text)[1] == value


def test_apply_overrides_takes_a_list_of_bare_words():
    @dataclass(frozen=True)
    class Sources:
        sources: tuple[str, ...] = ()

    assert apply_overrides(Sources, {}, ["sources=[tag:cora, tag:arxiv_2023]"]).sources == (
        "tag:cora", "tag:arxiv_2023")


@pytest.mark.parametrize("text", ["x=nan", "x=inf", "x=-inf", "x=+Infinity"])
def test_apply_overrides_refuses_non_finite_floats_spelled_as_words(text):
    @dataclass(frozen=True)
    class Weight:
        x: float = 1.0

    with pytest.raises(ConfigError, match="x: expected a finite number"):
        apply_overrides(Weight, {}, [text])
