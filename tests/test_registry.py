import pytest

from graphkit.errors import UnknownNameError
from graphkit.registry import Registry


def test_registry_rejects_duplicates_and_lists_choices():
    reg = Registry("widget")
    reg.register("b", 2)
    reg.decorator("a")(1)
    assert reg.get("a") == 1 and reg.names() == ["a", "b"] and "b" in reg and len(reg) == 2
    with pytest.raises(ValueError, match="widget 'a' is already registered"):
        reg.register("a", 3)
    with pytest.raises(UnknownNameError) as e:
        reg.get("c")
    assert str(e.value) == "unknown widget 'c'; valid choices: a, b"
