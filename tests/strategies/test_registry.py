import importlib
import inspect
import pkgutil

import pytest

import strategies
from nondiff import registry


def test_unknown_name_lists_known_ones():
    with pytest.raises(ValueError, match="known strategies: .*random"):
        registry.get("no-such-strategy")


def test_runtime_registration_and_duplicates():
    class Dummy:
        pass

    registry.register("dummy-test", Dummy)
    try:
        assert registry.get("dummy-test") is Dummy
        with pytest.raises(ValueError, match="already registered"):
            registry.register("dummy-test", Dummy)
        with pytest.raises(ValueError, match="already registered"):
            registry.register("random", Dummy)
    finally:
        registry.unregister("dummy-test")


def _strategy_classes():
    """Every public class in strategies/ that implements ask and tell."""
    for info in pkgutil.walk_packages(strategies.__path__, "strategies."):
        if info.name.rsplit(".", 1)[-1].startswith("_"):
            continue
        module = importlib.import_module(info.name)
        for name, obj in inspect.getmembers(module, inspect.isclass):
            if obj.__module__.startswith(info.name) and not name.startswith("_") \
                    and hasattr(obj, "ask") and hasattr(obj, "tell"):
                yield obj


def test_every_strategy_class_is_registered():
    registered = {registry.get(n) for n in registry.names()}
    missing = [c.__qualname__ for c in _strategy_classes() if c not in registered]
    assert not missing, f"strategy classes not in the registry: {missing}"
