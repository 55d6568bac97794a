"""Extending graphkit from outside the package: registration decorators and plugin loading.

A plugin is a Python module (``my_pkg.my_layers``) or file (``./my_layer.py``) that
registers parts with the decorators below when it is imported::

    from graphkit.plugins import register_model

    @register_model("my_gnn", MyGNNConfig)
    def build_my_gnn(cfg: MyGNNConfig, inputs: ModelInputs) -> nn.Module: ...

A run names its plugins in YAML (``plugins: [my_pkg.my_layers, ./my_layer.py]``) or with
``--plugin`` on any command; installed packages declare an entry point in the group
``graphkit.plugins`` and load with the catalog. A run's ``config.yaml`` records each plugin
with the file it came from and that file's sha256; every command that starts from the run
imports them again and refuses, in one line, a plugin whose file is gone or changed.

The built-in parts are registered the same way, by :mod:`graphkit.catalog`.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import sys
from importlib.metadata import entry_points
from pathlib import Path
from typing import Callable, Iterable, Optional, Sequence, TypeVar, Union

from graphkit.config.plugin_ref import PluginRef
from graphkit.config.run_config import ModelConfig, TaskConfig
from graphkit.datasets.dataset_family import DatasetFamily
from graphkit.datasets.dataset_registry import DATASET_FAMILIES, DATASETS
from graphkit.datasets.dataset_spec import DatasetSpec
from graphkit.errors import PluginError
from graphkit.models import MODELS
from graphkit.models.model_entry import ModelEntry
from graphkit.nn.attention import GLOBAL_MODELS, GlobalModelEntry
from graphkit.nn.conv import LOCAL_CONVS, LocalConvEntry
from graphkit.tasks import TASKS
from graphkit.tasks.task_entry import TaskEntry
from graphkit.text import SUMMARIZERS

ENTRY_POINT_GROUP = "graphkit.plugins"
F = TypeVar("F", bound=Callable)


def register_model(name: str, config_class: type[ModelConfig], *, levels: Sequence[str] = ("node", "graph"),
                   needs_degree_histogram: Optional[Callable[[ModelConfig], bool]] = None) -> Callable[[F], F]:
    """Registers ``build(cfg, inputs) -> nn.Module`` as model ``name`` (``model.name``).

    Args:
        config_class: the model's typed config, a frozen dataclass subclassing
            :class:`~graphkit.config.ModelConfig`; its fields are the YAML keys of ``model:``.
        levels: task levels the model supports (``node``, ``graph``, ``link``).
        needs_degree_histogram: ``cfg -> bool``: the model reads the training graphs' in-degree
            histogram (``inputs.deg``; PNA-style convs).
    """
    if not (isinstance(config_class, type) and issubclass(config_class, ModelConfig)):
        raise TypeError(f"register_model({name!r}): config_class must subclass graphkit.config.ModelConfig")

    def wrap(build: F) -> F:
        extra = {} if needs_degree_histogram is None else {"needs_degree_histogram": needs_degree_histogram}
        MODELS.register(name, ModelEntry(config_class, build, levels=tuple(levels), **extra))
        return build

    return wrap


def register_local_conv(name: str, *, inputs: Sequence[str] = ("edge_index",), updates_edges: bool = False,
                        needs_degrees: bool = False) -> Callable[[F], F]:
    """Registers ``build(channels, heads=1, dropout=0.0, deg=None) -> nn.Module`` as a local
    conv of every GPS-family model (``model.local_conv``): GPS, GMN, GSM++, GraphCLIP.

    Args:
        inputs: what its ``forward`` reads besides ``x``, by keyword, in order (``edge_index``,
            ``edge_attr``: a conv with ``edge_attr`` gets the encoded edge features).
        updates_edges: it returns ``(x', edge_attr')`` and applies its own residual.
        needs_degrees: it is built from the training graphs' in-degree histogram (``deg``).
    """

    def wrap(build: F) -> F:
        LOCAL_CONVS.register(name, LocalConvEntry(build, tuple(inputs), updates_edges, needs_degrees))
        return build

    return wrap


def register_global_model(name: str, *, inputs: Sequence[str] = ("batch",)) -> Callable[[F], F]:
    """Registers ``build(channels, heads=1, dropout=0.0, options={}) -> nn.Module`` as a global
    mixer of the GPS block (``model.global_model``): it maps node features ``[N, C]`` to
    ``[N, C]``, mixing nodes within each graph.

    Args:
        inputs: what its ``forward`` reads besides ``x``, by keyword, in order: ``batch``
            (graph index per node), ``padded`` (the dense ``[B, N_max, C]`` layout,
            :class:`~graphkit.nn.attention.PaddedBatch`), ``edge_index``.

    A mixer that offers :class:`~graphkit.nn.attention.MixerFlops` is covered by the
    sparsifier's FLOPs counter and budget.
    """

    def wrap(build: F) -> F:
        GLOBAL_MODELS.register(name, GlobalModelEntry(build, tuple(inputs)))
        return build

    return wrap


def register_task(name: str, config_class: type[TaskConfig] = TaskConfig, *,
                  pretraining: bool = False) -> Callable[[F], F]:
    """Registers ``build(cfg, dataset, ctx) -> Task`` as task ``name`` (``task.name``);
    ``pretraining=True`` marks a self-supervised objective that ``graphkit pretrain`` runs.

    The task implements :class:`graphkit.tasks.Task`; a task whose model reads other
    inputs than the dataset's also implements :class:`graphkit.tasks.ModelInputsHook`.
    ``config_class`` subclasses :class:`~graphkit.config.TaskConfig` (its fields are the
    YAML keys of ``task:``)."""
    if not (isinstance(config_class, type) and issubclass(config_class, TaskConfig)):
        raise TypeError(f"register_task({name!r}): config_class must subclass graphkit.config.TaskConfig")

    def wrap(build: F) -> F:
        TASKS.register(name, TaskEntry(config_class, build, pretraining=pretraining))
        return build

    return wrap


def register_dataset(spec: DatasetSpec) -> DatasetSpec:
    """Registers a curated dataset (``data.name: spec.name``; ``graphkit data list``)."""
    return DATASETS.register(spec.name, spec)


def register_dataset_family(prefix: str, *, example: str, description: str, task_known_early: bool = True,
                            member: str = "member") -> Callable[[F], F]:
    """Registers ``resolve(member, args, curated) -> DatasetSpec`` for every
    ``data.name: <prefix>:<member>`` (:class:`~graphkit.datasets.DatasetFamily`)."""
    if not prefix or ":" in prefix:
        raise ValueError(f"register_dataset_family: prefix {prefix!r} must be non-empty and hold no ':'")

    def wrap(resolve: F) -> F:
        DATASET_FAMILIES.register(prefix, DatasetFamily(prefix, resolve, example, description, task_known_early, member))
        return resolve

    return wrap


def register_summarizer(name: str) -> Callable[[F], F]:
    """Registers ``factory(path, **template_options) -> summarizer`` as ``task.summarizer``
    of text-graph pretraining; a summarizer maps (node texts, subgraphs) to one text each."""

    def wrap(factory: F) -> F:
        SUMMARIZERS.register(name, factory)
        return factory

    return wrap


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _is_path(spec: str) -> bool:
    return spec.endswith(".py") or "/" in spec or spec.startswith(".")


def _import_file(path: Path) -> None:
    # one module per file, named after its resolved path: importing it twice in a process
    # (train, then eval in the same session) registers its parts once
    name = "graphkit_plugin_" + hashlib.sha256(str(path).encode()).hexdigest()[:16]
    if name in sys.modules:
        return
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise PluginError(f"plugin {path}: not an importable Python file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception:
        del sys.modules[name]
        raise


def _locate(spec: str, base_dirs: Sequence[Path]) -> Path:
    path = Path(spec).expanduser()
    if path.is_absolute():
        return path
    for base in base_dirs:
        if (base / path).is_file():
            return (base / path).resolve()
    return path.resolve()


def load_plugin(ref: Union[str, PluginRef], base_dirs: Sequence[Path] = ()) -> PluginRef:
    """Imports one plugin and returns its record (module or file, sha256 of the file).

    A record carrying a sha256 (read back from a run's ``config.yaml``) must match the file
    as it is now; a relative file path is looked up in ``base_dirs`` (the config's folder),
    then the working directory."""
    recorded = ref if isinstance(ref, PluginRef) else PluginRef(spec=ref)
    spec = recorded.spec
    if _is_path(spec):
        path = Path(recorded.file) if recorded.file else _locate(spec, [*base_dirs, Path.cwd()])
        if not path.is_file():
            raise PluginError(f"plugin {spec}: file {path} not found"
                              + (" (the run recorded it; restore it to use the run)" if recorded.sha256 else ""))
        digest = _sha256(path)
        _check(recorded, path, digest)
        try:
            _import_file(path)
        except PluginError:
            raise
        except Exception as e:
            raise PluginError(f"plugin {spec}: importing {path} failed: {type(e).__name__}: {e}") from None
        return PluginRef(spec=spec, file=str(path), sha256=digest)
    try:
        module = importlib.import_module(spec)
    except ImportError as e:
        raise PluginError(f"plugin {spec}: cannot import it ({e})"
                          + (" (the run recorded it; install it to use the run)" if recorded.sha256 else "")) from None
    file = getattr(module, "__file__", None)
    if file is None:
        return PluginRef(spec=spec)
    digest = _sha256(Path(file))
    _check(recorded, Path(file), digest)
    return PluginRef(spec=spec, file=str(Path(file).resolve()), sha256=digest)


def _check(recorded: PluginRef, path: Path, digest: str) -> None:
    if recorded.sha256 is not None and recorded.sha256 != digest:
        raise PluginError(f"plugin {recorded.spec}: {path} changed since the run recorded it (sha256 "
                          f"{recorded.sha256[:12]}... then, {digest[:12]}... now); restore that version "
                          f"to use the run")


def load_plugins(refs: Iterable[Union[str, PluginRef]], base_dirs: Sequence[Path] = ()) -> tuple[PluginRef, ...]:
    """Imports every plugin of ``refs`` once (duplicates by spec dropped) and returns their records."""
    records: list[PluginRef] = []
    seen: set[str] = set()
    for ref in refs:
        spec = ref.spec if isinstance(ref, PluginRef) else ref
        if spec in seen:
            continue
        seen.add(spec)
        records.append(load_plugin(ref, base_dirs))
    return tuple(records)


def load_entry_point_plugins() -> list[str]:
    """Imports the installed packages' plugins (entry-point group ``graphkit.plugins``)."""
    loaded = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            ep.load()
        except Exception as e:
            raise PluginError(f"installed plugin {ep.name} ({ep.value}): importing it failed: "
                              f"{type(e).__name__}: {e}") from None
        loaded.append(ep.name)
    return loaded


__all__ = ["ENTRY_POINT_GROUP", "PluginRef", "load_entry_point_plugins", "load_plugin", "load_plugins",
           "register_dataset", "register_dataset_family", "register_global_model", "register_local_conv",
           "register_model", "register_summarizer", "register_task"]
