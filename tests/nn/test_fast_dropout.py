import pytest
import torch

from graphkit.nn.fast_dropout import FastDropout, fast_dropout


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_fast_dropout_drop_rate_and_unbiased_scale(p):
    torch.manual_seed(0)
    y = fast_dropout(torch.ones(400_000), p)
    assert (y == 0).float().mean().item() == pytest.approx(p, abs=0.005)
    assert y.mean().item() == pytest.approx(1.0, abs=0.01)  # kept values are rescaled
    kept = y[y != 0]
    assert torch.allclose(kept, kept[0].expand_as(kept)) and kept[0] == pytest.approx(1 / (1 - p), rel=1e-3)


def test_fast_dropout_gradient_is_the_mask_and_seeded_masks_repeat():
    x = torch.randn(7, 5, requires_grad=True)
    torch.manual_seed(3)
    y = fast_dropout(x, 0.5)
    y.sum().backward()
    torch.testing.assert_close(x.grad, (y != 0).float() * 2.0)
    torch.manual_seed(3)
    torch.testing.assert_close(fast_dropout(x, 0.5), y)


def test_fast_dropout_identity_in_eval_and_rejects_bad_p():
    layer = FastDropout(0.5).eval()
    x = torch.randn(4, 3)
    assert layer(x) is x
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        FastDropout(1.0)
