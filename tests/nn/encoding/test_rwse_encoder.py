import torch

from graphkit.nn.encoding.rwse_encoder import RWSEEncoder


def test_rwse_encoder_is_rowwise_linear_after_norm():
    torch.manual_seed(0)
    enc = RWSEEncoder(4, 6, norm="none")
    rwse = torch.rand(5, 4)
    out = enc(rwse)
    assert out.shape == (5, 6)
    assert torch.allclose(out, rwse @ enc.encoder.weight.T + enc.encoder.bias)
    perm = torch.randperm(5)
    assert torch.allclose(enc(rwse[perm]), out[perm])
