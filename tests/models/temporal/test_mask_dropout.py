import torch

from graphkit.models.temporal.mask_dropout import MaskDropout


def test_mask_dropout_matches_dropout_in_distribution_and_gradient():
    torch.manual_seed(0)
    x = torch.ones(200_000, requires_grad=True)
    drop = MaskDropout(0.4).train()
    y = drop(x)
    kept = y != 0
    assert abs(kept.float().mean().item() - 0.6) < 0.005  # drop rate p
    assert torch.allclose(y[kept], torch.full_like(y[kept], 1 / 0.6))  # survivors scaled by 1 / (1 - p)
    assert abs(y.mean().item() - 1.0) < 0.01  # expectation kept, as nn.Dropout's
    y.sum().backward()
    assert torch.equal(x.grad, kept.float() / 0.6)  # the gradient is the same mask
    drop.eval()
    assert torch.equal(drop(x), x)
    assert torch.equal(MaskDropout(0.0).train()(x), x)
