import io
import pickle

import numpy as np
import pytest
import torch

from graphkit.errors import GraphkitWarning
from graphkit.progress import Progress
from graphkit.text.text_encoder import TextEncoder, texts_key
from tests.pickle_payloads import RanPayload as _Payload


def test_texts_key_changes_with_any_text_or_the_model():
    base = texts_key("m", ["a", "b"], 256)
    assert base == texts_key("m", ["a", "b"], 256)
    assert base != texts_key("m", ["a", "c"], 256)
    assert base != texts_key("m", ["ab", ""], 256)  # boundaries count, not just the concatenation
    assert base != texts_key("other", ["a", "b"], 256)
    assert base != texts_key("m", ["a", "b"], 128)


def test_cache_reuses_embeddings_and_reencodes_a_changed_text(tmp_path, monkeypatch):
    enc = TextEncoder(cache_dir=tmp_path, progress=False)
    calls = []
    real = TextEncoder._encode

    def counting(self, texts, desc, **kw):
        calls.append(list(texts))
        return real(self, texts, desc, **kw)

    monkeypatch.setattr(TextEncoder, "_encode", counting)
    first = enc.encode(["graph neural networks", "cooking pasta"])
    assert first.shape == (2, 384)
    assert torch.allclose(first.norm(dim=1), torch.ones(2), atol=1e-5)
    again = enc.encode(["graph neural networks", "cooking pasta"])
    assert len(calls) == 1 and torch.equal(first, again)
    changed = enc.encode(["graph neural networks", "cooking rice"])
    assert len(calls) == 2
    assert torch.allclose(changed[0], first[0], atol=1e-5) and not torch.allclose(changed[1], first[1])
    assert len(list(tmp_path.glob("*.npy"))) == 2


def test_mean_pooled_embedding_ranks_related_text_higher(tmp_path):
    enc = TextEncoder(cache=False, progress=False)
    x = enc.encode(["a paper on neural networks", "deep learning with neural nets", "a recipe for bread"])
    assert float(x[0] @ x[1]) > float(x[0] @ x[2])


def test_unknown_model_is_a_user_error(tmp_path):
    from graphkit.errors import ConfigError

    with pytest.raises(ConfigError, match="not 'all-MiniLM-L6-v2'"):
        TextEncoder(str(tmp_path / "nope")).encode(["x"])


TEXTS = ["graph neural networks", "cooking pasta", "a longer text about football matches"]


@pytest.mark.parametrize("damage, problem", [
    (lambda p: p.write_bytes(p.read_bytes()[:200]), "is unreadable"),  # truncated
    (lambda p: p.write_bytes(pickle.dumps(_Payload())), "holds pickled data"),
    (lambda p: np.save(p, np.array([_Payload()], dtype=object), allow_pickle=True), "holds pickled data"),
    (lambda p: np.save(p, np.zeros((2, 384), dtype=np.float32)), r"has shape \[2, 384\], expected \[3, 384\]"),
    (lambda p: np.save(p, np.zeros((3, 384))), "has dtype float64, expected float32"),
    (lambda p: np.save(p, np.full((3, 384), np.nan, dtype=np.float32)), "holds non-finite values"),
])
def test_damaged_cache_is_encoded_again_with_a_warning_never_unpickled(tmp_path, damage, problem):
    enc = TextEncoder(cache_dir=tmp_path, progress=False)
    first = enc.encode(TEXTS)
    path = enc.cache_path(TEXTS)
    damage(path)
    with pytest.warns(GraphkitWarning, match=f"text-embedding cache .* {problem}.*; encoding again and replacing it"):
        again = enc.encode(TEXTS)
    assert torch.allclose(again, first, atol=1e-5) and not _Payload.ran
    assert torch.equal(enc.encode(TEXTS), again)  # the rebuilt file is read back


def test_stopped_encoding_continues_from_its_saved_rows(tmp_path, monkeypatch):
    enc = TextEncoder(cache_dir=tmp_path, progress=False, batch_size=1, checkpoint_every=0)
    full = TextEncoder(cache=False, progress=False).encode(TEXTS)
    batches = []
    real = Progress.update

    def stop_after_two(self, n):
        real(self, n)
        batches.append(n)
        if len(batches) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(Progress, "update", stop_after_two)
    with pytest.raises(KeyboardInterrupt):
        enc.encode(TEXTS)
    partial = enc.cache_path(TEXTS).with_suffix(".partial.npy")
    assert np.load(partial).shape == (1, 384)  # saved after the first batch; the second was cut off
    monkeypatch.setattr(Progress, "update", real)
    seen = []
    real_tok = enc._tokenizer

    def tokenizer(texts, **kw):
        seen.extend(texts)
        return real_tok(texts, **kw)

    enc._tokenizer = tokenizer
    out = enc.encode(TEXTS)
    assert len(seen) == 2 and TEXTS[2] not in seen  # the longest text was saved, not encoded again
    assert torch.allclose(out, full, atol=1e-5) and not partial.exists()


def test_progress_in_a_log_is_plain_lines_with_counts_and_eta(monkeypatch):
    stream = io.StringIO()
    clock = iter(range(0, 1000, 10))
    monkeypatch.setattr("graphkit.progress.time.perf_counter", lambda: float(next(clock)))
    with Progress(total=300, desc="tag:x node texts", unit="texts", every=15, stream=stream) as progress:
        for _ in range(3):
            progress.update(100)
    lines = stream.getvalue().splitlines()
    assert "\r" not in stream.getvalue()
    assert lines == ["tag:x node texts: 300 texts",
                     "tag:x node texts: 200/300 texts (67%), 10.0 texts/s, ETA 10s",
                     "tag:x node texts: 300/300 texts done in 40s (7.5 texts/s)"]
