import pytest
import torch

from graphkit.text.text_encoder import TextEncoder, texts_key


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

    def counting(self, texts, desc):
        calls.append(list(texts))
        return real(self, texts, desc)

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
