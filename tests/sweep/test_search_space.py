import optuna
import pytest

from graphkit.config import RunConfig
from graphkit.errors import ConfigError
from graphkit.runs.config_loading import load_config
from graphkit.sweep import SearchSpace

BASE = {"data": {"name": "cora"}, "model": {"name": "gcn", "hidden_channels": 16}, "optim": {"lr": 0.01}}


@pytest.fixture
def base():
    return load_config(RunConfig, BASE)


def _error(space, base) -> str:
    with pytest.raises(ConfigError) as e:
        SearchSpace(space, base, where="space.yaml")
    message = str(e.value)
    assert "\n" not in message
    return message


def test_search_space_parses_every_kind_and_draws_inside_bounds(base):
    space = SearchSpace({"optim.lr": {"log_uniform": [1e-4, 1e-2]}, "model.dropout": {"uniform": [0.0, 0.5]},
                         "model.num_layers": {"int": [2, 4]}, "model.hidden_channels": {"choice": [16, 64]}}, base)
    assert space.keys == ["optim.lr", "model.dropout", "model.num_layers", "model.hidden_channels"]
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    for _ in range(20):
        params = space.suggest(study.ask())
        assert 1e-4 <= params["optim.lr"] <= 1e-2 and 0.0 <= params["model.dropout"] <= 0.5
        assert params["model.num_layers"] in (2, 3, 4) and params["model.hidden_channels"] in (16, 64)
    assert space.to_dict()["model.num_layers"] == {"int": [2, 4]}


def test_search_space_unknown_key_is_one_line_listing_the_sections_keys(base):
    message = _error({"model.hiden_channels": {"int": [8, 64]}}, base)
    assert "unknown key 'model.hiden_channels'" in message
    # the keys of the chosen model's own config class (GCN's), dotted as a space names them
    assert "model.hidden_channels" in message and "model.dropout" in message and "optim.lr" not in message
    assert "valid keys: data.name, data.root" in _error({"nope": {"int": [1, 2]}}, base)


def test_search_space_section_or_value_path_is_refused(base):
    assert "optim is a section; name one of its keys: optim.name, optim.lr" in _error({"optim": {"int": [1, 2]}}, base)
    assert "optim.lr is a value, not a section" in _error({"optim.lr.x": {"int": [1, 2]}}, base)


@pytest.mark.parametrize("spec, words", [
    ({"gaussian": [0, 1]}, "expected one of"),
    ({"uniform": [0.5, 0.1]}, "needs low < high"),
    ({"uniform": [0.1]}, "takes [low, high] numbers"),
    ({"log_uniform": [0.0, 0.1]}, "needs 0 < low"),
    ({"int": [1.5, 3]}, "int takes integer ends"),
    ({"choice": []}, "takes a list"),
    ({"choice": [[1, 2]]}, "must be plain values"),
    ({"uniform": [0.0, 1.5]}, "value 1.5 is refused by the config"),  # dropout must be in [0, 1)
])
def test_search_space_bad_distribution_is_one_line_error(base, spec, words):
    message = _error({"model.dropout": spec}, base)
    assert words in message and message.startswith("space.yaml: model.dropout")


def test_search_space_choice_typed_by_the_config(base):
    # optim.name is a Literal: an option the config does not know fails before any trial
    assert "value 'sgd' is refused" in _error({"optim.name": {"choice": ["adam", "sgd"]}}, base)


def test_search_space_grid_lists_choices_and_integers(base):
    space = SearchSpace({"model.num_layers": {"int": [2, 4]}, "model.hidden_channels": {"choice": [16, 64]}}, base)
    assert space.grid() == {"model.num_layers": [2, 3, 4], "model.hidden_channels": [16, 64]}
    assert space.grid_size() == 6
    with pytest.raises(ConfigError, match="--sampler grid needs choice or int parameters; optim.lr is log_uniform"):
        SearchSpace({"optim.lr": {"log_uniform": [1e-3, 1e-2]}}, base).grid()
