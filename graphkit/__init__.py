"""graphkit: one trainer and one dataset registry for graph learning research.

``graphkit.train``, ``graphkit.sparsify``, ``graphkit.load_run`` and ``graphkit.load_model`` live in
:mod:`graphkit.api`; they are looked up on first use so that ``import graphkit`` (and the
CLI's ``--help``) does not import torch.
"""

__version__ = "0.1.0"

_API = ("RunResult", "SparsifyResult", "load_model", "load_run", "sparsify", "train")


def __getattr__(name: str):
    if name in _API:
        from graphkit import api  # torch: only when the API is used

        return getattr(api, name)
    raise AttributeError(f"module 'graphkit' has no attribute {name!r}")


__all__ = ["RunResult", "SparsifyResult", "__version__", "load_model", "load_run", "sparsify", "train"]
