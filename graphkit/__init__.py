"""graphkit: one trainer and one dataset registry for graph learning research."""

__version__ = "0.1.0"


def load_run(*args, **kwargs):
    """Reloads a trained run (config, dataset, task, model): :func:`graphkit.runs.load_run`."""
    from graphkit.runs import load_run as _load_run  # late: keeps `import graphkit` light

    return _load_run(*args, **kwargs)


def load_model(*args, **kwargs):
    """A ready model from a checkpoint alone: :func:`graphkit.runs.load_model`."""
    from graphkit.runs import load_model as _load_model

    return _load_model(*args, **kwargs)


__all__ = ["__version__", "load_model", "load_run"]
