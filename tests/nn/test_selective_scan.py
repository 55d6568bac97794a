import pytest
import torch

from graphkit.nn.selective_scan import linear_scan, selective_scan, selective_scan_sequential


@pytest.mark.parametrize("length", [1, 3, 4, 5, 17, 70])
def test_linear_scan_matches_loop(length):
    torch.manual_seed(length)
    log_a = -torch.rand(2, length, 3) * 2
    x = torch.randn(2, length, 3)
    h = torch.zeros(2, 3)
    expected = []
    for t in range(length):
        h = torch.exp(log_a[:, t]) * h + x[:, t]
        expected.append(h)
    assert torch.allclose(linear_scan(log_a, x), torch.stack(expected, 1), atol=1e-5)


def test_selective_scan_parallel_equals_sequential_with_gradients():
    torch.manual_seed(0)
    b, d, l, n = 2, 3, 23, 4
    args = [torch.randn(b, d, l), torch.randn(b, d, l), -torch.rand(d, n) * 4,
            torch.randn(b, n, l), torch.randn(b, n, l), torch.randn(d), torch.randn(b, d, l),
            torch.randn(d)]
    args = [a.requires_grad_() for a in args]
    out = selective_scan(*args, delta_softplus=True)
    ref = selective_scan_sequential(*args, delta_softplus=True)
    assert torch.allclose(out, ref, atol=1e-4)
    grads = torch.autograd.grad(out.sum(), args)
    grads_ref = torch.autograd.grad(ref.sum(), args)
    for g, g_ref in zip(grads, grads_ref):
        assert torch.allclose(g, g_ref, atol=1e-3, rtol=1e-3)


def test_selective_scan_strong_decay_stays_finite():
    torch.manual_seed(0)
    b, d, l, n = 1, 2, 40, 3
    u, delta = torch.randn(b, d, l), torch.full((b, d, l), 50.0)
    A = -torch.full((d, n), 10.0)  # per-step log-decay -500: state forgotten at once
    B, C = torch.randn(b, n, l), torch.randn(b, n, l)
    out = selective_scan(u, delta, A, B, C)
    ref = selective_scan_sequential(u, delta, A, B, C)
    assert torch.isfinite(out).all()
    assert torch.allclose(out, ref, atol=1e-3)
