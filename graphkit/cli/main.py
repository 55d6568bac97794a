"""``graphkit`` command line: one entry point, a sub-command per capability.

Each sub-command module has ``register(subparsers)``, which adds its parser and sets
``func``: ``func(args) -> int`` (the exit code). User errors (:class:`GraphkitError`)
become one line on stderr and exit code 2, without a traceback.
"""

from __future__ import annotations

import argparse
import errno
import os
import sys
import warnings

from graphkit import __version__
from graphkit.errors import GraphkitError, GraphkitWarning

_format_warning = warnings.formatwarning
# a full disk, a quota, a read-only mount, a file-size limit: the user's to fix
_DISK_ERRNOS = (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EFBIG)


def _one_line_warning(message, category, filename, lineno, line=None) -> str:
    if issubclass(category, GraphkitWarning):
        return f"graphkit: warning: {message}\n"
    return _format_warning(message, category, filename, lineno, line)


def build_parser() -> argparse.ArgumentParser:
    from graphkit.cli import data, embed
    from graphkit.cli import eval as eval_cmd
    from graphkit.cli import fewshot, lp, plot, pretrain, sparsify, train, zeroshot
    from graphkit.cli import compare, sweep

    parser = argparse.ArgumentParser(prog="graphkit", description="graphkit: one trainer and one dataset registry for graph learning research.")
    parser.add_argument("--version", action="version", version=f"graphkit {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (train, eval_cmd, data, plot, embed, lp, pretrain, zeroshot, fewshot, sparsify, sweep, compare):
        module.register(sub)
    _add_plugin_option(sub)
    return parser


def _add_plugin_option(sub: argparse._SubParsersAction) -> None:
    """``--plugin`` on every command (the leaves of nested ones such as ``data info``)."""
    for parser in set(sub.choices.values()):
        nested = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if nested:
            for action in nested:
                _add_plugin_option(action)
            continue
        parser.add_argument("--plugin", action="append", default=[], metavar="MODULE_OR_FILE",
                            help="import user code that registers models, tasks, datasets... "
                                 "(graphkit.plugins); repeatable")


def _load_parts(args: argparse.Namespace) -> None:
    """Registers the built-in parts and the plugins of ``--plugin``. A command that looks no
    name up (``plot``; ``data list``, which keeps to the torch-free dataset table) sets
    ``parts=False`` and starts without importing torch."""
    from graphkit.catalog import load

    if not getattr(args, "parts", True) and not args.plugin:
        return
    load()
    if args.plugin:
        from graphkit.plugins import load_plugins

        load_plugins(args.plugin)


def main(argv: list[str] | None = None) -> int:
    # Idle OpenMP workers sleep instead of spinning: on a shared machine spinning threads
    # steal the cores the busy ones need. It must be set before torch loads libgomp (the
    # commands import torch lazily); a value the user set is kept.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    parser = build_parser()
    # Overrides may follow options (`train cfg.yaml --threads 1 optim.lr=0.1`), which
    # argparse cannot match to a positional list once an option has interrupted it.
    args, extra = parser.parse_known_args(argv)
    if extra:
        if hasattr(args, "overrides") and all("=" in e and not e.startswith("-") for e in extra):
            args.overrides = list(args.overrides) + extra
        else:
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
    args.argv = list(sys.argv[1:] if argv is None else argv)
    warnings.formatwarning = _one_line_warning
    try:
        _load_parts(args)
        return int(args.func(args) or 0)
    except GraphkitError as e:
        print(f"graphkit: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("graphkit: interrupted", file=sys.stderr)
        return 130
    except OSError as e:
        if e.errno not in _DISK_ERRNOS:
            raise
        # every writer goes through graphkit.atomic, which names the file; what was
        # written before stays whole, so the command can be run again (or resumed)
        where = f" {e.filename}" if e.filename else ""
        print(f"graphkit: error: cannot write{where}: {e.strerror}; free space there and run the command "
              f"again (--resume continues a run that had started)", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
