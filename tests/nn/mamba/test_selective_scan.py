import pytest
import torch

from graphkit.nn.mamba.selective_scan import linear_scan, selective_scan, selective_scan_sequential


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
    from graphkit.nn.mamba.packed_sequences import PackedSequences

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


def _fused_kernel():
    from graphkit.nn.mamba.cpu_scan_kernel import cpu_scan_kernel

    if cpu_scan_kernel() is None:
        pytest.skip("the fused CPU scan kernel could not be built here (no C++ compiler?)")


@pytest.mark.parametrize("path,block_elements", [("loop", 1 << 18), ("loop", 40), ("loop", 1),
                                                 ("fused", 1 << 18)])
def test_packed_scan_equals_sequential_reference_with_gradients(monkeypatch, path, block_elements):
    import graphkit.nn.mamba.selective_scan as module

    if path == "fused":
        _fused_kernel()
    monkeypatch.setattr(module, "_BLOCK_ELEMENTS", block_elements)  # one block .. one step each
    layout, _, args = _packed_case()
    out = module.packed_selective_scan(*args, layout, use_kernel=path == "fused")
    ref = _per_lane_reference(layout, *args)
    assert torch.allclose(out, ref, atol=1e-5)
    weights = torch.randn_like(out)
    grads = torch.autograd.grad((out * weights).sum(), args)
    grads_ref = torch.autograd.grad((ref * weights).sum(), args)
    for got, want in zip(grads, grads_ref):
        assert torch.allclose(got, want, atol=1e-4, rtol=1e-4)


@pytest.mark.parametrize("extras", [False, True])
def test_fused_cpu_kernel_equals_step_loop_at_model_size(extras):
    # ZINC-like: 32 sequences of 9..38 tokens, 2 groups x 64 channels, 16 states; the
    # kernel's own exp2 / softplus / sigmoid and vectorised loops against the PyTorch
    # step loop, with (extras) or without softplus(delta + bias), skip D and gate z
    from graphkit.nn.mamba.packed_sequences import PackedSequences
    from graphkit.nn.mamba.selective_scan import packed_selective_scan

    _fused_kernel()
    torch.manual_seed(0)
    lengths = torch.randint(9, 39, (32,))
    seq = torch.repeat_interleave(torch.arange(32), lengths)
    pos = torch.cat([torch.randperm(int(n)) for n in lengths])  # tokens in any order
    layout = PackedSequences.from_positions(seq, pos)
    t, g, w, n = seq.numel(), 2, 64, 16
    args = [torch.rand(t, g * w) * 0.2, torch.randn(t, g * w), -torch.rand(g * w, n) * 4,
            torch.randn(t, g, n), torch.randn(t, g, n)]
    kwargs = {}
    if extras:  # raw step sizes spanning softplus's curved and linear parts
        args[0] = torch.randn(t, g * w) * 3 - 2
        kwargs = dict(D=torch.randn(g * w), z=torch.randn(t, g * w) * 2,
                      delta_bias=torch.randn(g * w), delta_softplus=True)
    args = [a.requires_grad_() for a in args]
    kwargs = {k: v.requires_grad_() if torch.is_tensor(v) else v for k, v in kwargs.items()}
    inputs = args + [v for v in kwargs.values() if torch.is_tensor(v)]
    fused = packed_selective_scan(*args, layout, **kwargs)
    loop = packed_selective_scan(*args, layout, use_kernel=False, **kwargs)
    assert torch.allclose(fused, loop, atol=1e-4, rtol=1e-4)
    weights = torch.randn_like(loop)
    for got, want in zip(torch.autograd.grad((fused * weights).sum(), inputs),
                         torch.autograd.grad((loop * weights).sum(), inputs)):
        assert torch.allclose(got, want, atol=1e-3, rtol=1e-3)
    detached = [a.detach() for a in args]
    # a decay of exp(-5000) per step: the clamped exponent keeps everything finite
    strong = [detached[0] * 0 + 50.0, detached[1], detached[2] * 25, *detached[3:]]
    assert torch.allclose(packed_selective_scan(*strong, layout),
                          packed_selective_scan(*strong, layout, use_kernel=False), atol=1e-3)
    # half inputs scan in float32 and come back as half
    assert packed_selective_scan(*(a.half() for a in detached), layout).dtype == torch.float16


def test_fused_cpu_kernel_can_be_switched_off(monkeypatch):
    from graphkit.nn.mamba import cpu_scan_kernel as module

    monkeypatch.setenv("GRAPHKIT_SCAN_KERNEL", "torch")
    module.cpu_scan_kernel.cache_clear()
    try:
        assert module.cpu_scan_kernel() is None
        assert not module.fused_kernel_available(torch.zeros(1))
    finally:
        module.cpu_scan_kernel.cache_clear()


def test_packed_scan_gradcheck_float64(monkeypatch):
    import graphkit.nn.mamba.selective_scan as module

    monkeypatch.setattr(module, "_BLOCK_ELEMENTS", 40)
    layout, _, args = _packed_case(torch.float64)
    assert torch.autograd.gradcheck(lambda *a: module.packed_selective_scan(*a, layout), args)


def test_packed_scan_parallel_path_equals_step_loop(monkeypatch):
    import graphkit.nn.mamba.selective_scan as module

    layout, _, args = _packed_case()
    loop = module.packed_selective_scan(*args, layout, use_kernel=False)
    monkeypatch.setattr(module, "SEQUENTIAL_MAX_LENGTH", 0)  # padded chunked parallel scan
    parallel = module.packed_selective_scan(*args, layout, use_kernel=False)
    assert torch.allclose(loop, parallel, atol=1e-4)
    grads = torch.autograd.grad(loop.sum(), args)
    grads_parallel = torch.autograd.grad(parallel.sum(), args)
    for got, want in zip(grads, grads_parallel):
        assert torch.allclose(got, want, atol=1e-3, rtol=1e-3)
