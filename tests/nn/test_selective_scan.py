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


def _packed_case(dtype=torch.float32):
    from graphkit.nn.packed_sequences import PackedSequences

    torch.manual_seed(1)
    lengths = torch.tensor([3, 7, 1, 7, 2])
    seq = torch.repeat_interleave(torch.arange(5), lengths)
    pos = torch.cat([torch.arange(int(n)) for n in lengths])
    layout = PackedSequences.from_positions(seq, pos)
    t, g, w, n = seq.numel(), 2, 3, 4
    args = [torch.rand(t, g * w, dtype=dtype) + 0.05, torch.randn(t, g * w, dtype=dtype),
            -torch.rand(g * w, n, dtype=dtype) * 3, torch.randn(t, g, n, dtype=dtype),
            torch.randn(t, g, n, dtype=dtype)]
    return layout, seq, [a.requires_grad_() for a in args]


def _per_lane_reference(layout, delta, u, A, B, C):
    """Each lane (one sequence, slot rows in step order) and channel group run alone
    through the step-by-step reference."""
    width = u.size(1) // B.size(1)
    out = torch.zeros_like(u)
    for lane in range(layout.num_lanes):
        rows = (layout.lane == lane).nonzero().squeeze(1)  # ascending slots = ascending steps
        for g in range(B.size(1)):
            part = slice(g * width, (g + 1) * width)
            y = selective_scan_sequential(
                u[rows][:, part].T[None], delta[rows][:, part].T[None], A[part],
                B[rows][:, g].T[None], C[rows][:, g].T[None])
            out = out.index_put((rows.unsqueeze(1), torch.arange(part.start, part.stop)), y[0].T)
    return out


@pytest.mark.parametrize("block_elements", [1 << 18, 40, 1])
def test_packed_scan_equals_sequential_reference_with_gradients(monkeypatch, block_elements):
    import graphkit.nn.selective_scan as module

    monkeypatch.setattr(module, "_BLOCK_ELEMENTS", block_elements)  # one block .. one step each
    layout, _, args = _packed_case()
    out = module.packed_selective_scan(*args, layout)
    ref = _per_lane_reference(layout, *args)
    assert torch.allclose(out, ref, atol=1e-5)
    weights = torch.randn_like(out)
    grads = torch.autograd.grad((out * weights).sum(), args)
    grads_ref = torch.autograd.grad((ref * weights).sum(), args)
    for got, want in zip(grads, grads_ref):
        assert torch.allclose(got, want, atol=1e-4, rtol=1e-4)


def test_packed_scan_gradcheck_float64(monkeypatch):
    import graphkit.nn.selective_scan as module

    monkeypatch.setattr(module, "_BLOCK_ELEMENTS", 40)
    layout, _, args = _packed_case(torch.float64)
    assert torch.autograd.gradcheck(lambda *a: module.packed_selective_scan(*a, layout), args)


def test_packed_scan_parallel_path_equals_step_loop(monkeypatch):
    import graphkit.nn.selective_scan as module

    layout, _, args = _packed_case()
    loop = module.packed_selective_scan(*args, layout)
    monkeypatch.setattr(module, "SEQUENTIAL_MAX_LENGTH", 0)  # padded chunked parallel scan
    parallel = module.packed_selective_scan(*args, layout)
    assert torch.allclose(loop, parallel, atol=1e-4)
    grads = torch.autograd.grad(loop.sum(), args)
    grads_parallel = torch.autograd.grad(parallel.sum(), args)
    for got, want in zip(grads, grads_parallel):
        assert torch.allclose(got, want, atol=1e-3, rtol=1e-3)
