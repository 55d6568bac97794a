import pytest
import torch

from graphkit.nn.encoding.lap_pe_encoder import LapPEEncoder


@pytest.mark.parametrize("model", ["deepset", "transformer"])
def test_lap_pe_encoder_permutation_equivariant_and_masks_missing(model):
    torch.manual_seed(0)
    enc = LapPEEncoder(3, 4, model=model, num_layers=2).eval()
    vecs = torch.randn(5, 3)
    vals = torch.rand(5, 3)
    perm = torch.randperm(5)
    out = enc(vecs, vals)
    assert out.shape == (5, 4)
    assert torch.allclose(enc(vecs[perm], vals[perm]), out[perm], atol=1e-5)
    # a missing (NaN) third eigenvector contributes nothing: same as two eigenvectors
    vecs_nan, vals_nan = vecs.clone(), vals.clone()
    vecs_nan[:, 2] = float("nan")
    assert torch.allclose(enc(vecs_nan, vals_nan), enc(vecs[:, :2], vals[:, :2]), atol=1e-5)


def test_lap_pe_encoder_flips_signs_only_in_training():
    torch.manual_seed(0)
    enc = LapPEEncoder(8, 4)
    vecs = torch.randn(6, 8)
    enc.eval()
    assert torch.equal(enc(vecs), enc(vecs))
    enc.train()
    draws = {tuple(enc(vecs).sum(0).round(decimals=4).tolist()) for _ in range(20)}
    assert len(draws) > 1
