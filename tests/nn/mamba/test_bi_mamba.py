import torch

from graphkit.nn.mamba.bi_mamba import BiMamba
from graphkit.nn.mamba.mamba_block import MambaBlock


def test_mamba_block_is_causal():
    torch.manual_seed(0)
    block = MambaBlock(8, state_channels=4)
    x = torch.randn(2, 6, 8)
    y = x.clone()
    y[:, 4:] = torch.randn(2, 2, 8)  # change only the last two steps
    assert torch.allclose(block(x)[:, :4], block(y)[:, :4], atol=1e-6)
    assert not torch.allclose(block(x)[:, 4:], block(y)[:, 4:])


def test_bi_mamba_padding_does_not_change_real_tokens():
    torch.manual_seed(0)
    bi = BiMamba(8, state_channels=4)
    seq = torch.randn(1, 3, 8)
    alone = bi(seq)
    padded = torch.cat([seq, torch.randn(1, 2, 8)], dim=1)  # junk in the pads
    other = torch.randn(1, 5, 8)
    mask = torch.tensor([[True, True, True, False, False], [True] * 5])
    out = bi(torch.cat([padded, other]), mask)
    assert torch.allclose(out[0, :3], alone[0], atol=1e-5)
    assert torch.equal(out[0, 3:], torch.zeros(2, 8))
    assert torch.allclose(out[1], bi(other)[0], atol=1e-5)


def test_bi_mamba_sees_both_directions():
    torch.manual_seed(0)
    bi = BiMamba(8, state_channels=4)
    x = torch.randn(1, 5, 8)
    y = x.clone()
    y[:, 4] += 1.0  # a change at the end reaches the first token through the reverse scan
    assert not torch.allclose(bi(x)[:, 0], bi(y)[:, 0])


def test_bi_mamba_packed_tokens_equal_each_sequence_alone():
    from graphkit.nn.mamba.packed_sequences import PackedSequences

    torch.manual_seed(0)
    bi = BiMamba(8, state_channels=4)
    first, second = torch.randn(4, 8), torch.randn(2, 8)
    # interleaved tokens, second sequence listed backwards with explicit positions
    x = torch.stack([first[0], second[1], first[1], first[2], second[0], first[3]])
    seq = torch.tensor([0, 1, 0, 0, 1, 0])
    pos = torch.tensor([0, 1, 1, 2, 0, 3])
    out = bi(x, layout=PackedSequences.from_positions(seq, pos))
    assert torch.allclose(out[seq == 0], bi(first[None])[0], atol=1e-5)
    assert torch.allclose(out[torch.tensor([4, 1])], bi(second[None])[0], atol=1e-5)


def test_bi_mamba_equals_its_two_blocks_run_separately_with_gradients():
    # the stacked implementation against the definition: forward block on each
    # sequence plus backward block on each reversed sequence, reversed back
    torch.manual_seed(0)
    bi = BiMamba(8, state_channels=4)
    x = torch.randn(3, 5, 8, requires_grad=True)
    lengths = [5, 3, 1]
    mask = torch.arange(5)[None] < torch.tensor(lengths)[:, None]
    out = bi(x, mask)
    ref = torch.zeros_like(out)
    for i, n in enumerate(lengths):
        seq = x[i:i + 1, :n]
        ref[i, :n] = (bi.forward_block(seq) + bi.backward_block(seq.flip(1)).flip(1))[0]
    assert torch.allclose(out, ref, atol=1e-5)
    weights = torch.randn_like(out)
    grads = torch.autograd.grad((out * weights).sum(), [x, *bi.parameters()])
    ref_grads = torch.autograd.grad((ref * weights).sum(), [x, *bi.parameters()])
    for g, r in zip(grads, ref_grads):
        assert torch.allclose(g, r, atol=1e-4)


def test_bi_mamba_same_with_and_without_the_fused_cpu_kernels(monkeypatch):
    import pytest

    import graphkit.nn.mamba.packed_causal_conv as conv_module
    import graphkit.nn.mamba.selective_scan as scan_module
    from graphkit.nn.mamba.cpu_scan_kernel import cpu_scan_kernel

    if cpu_scan_kernel() is None:
        pytest.skip("the fused CPU kernels could not be built here (no C++ compiler?)")
    torch.manual_seed(0)
    bi = BiMamba(16, state_channels=4)
    x = torch.randn(3, 7, 16, requires_grad=True)
    mask = torch.arange(7)[None] < torch.tensor([7, 4, 2])[:, None]
    fused = bi(x, mask)
    fused_grads = torch.autograd.grad(fused.square().sum(), [x, *bi.parameters()])
    monkeypatch.setattr(scan_module, "fused_kernel_available", lambda *t: False)
    monkeypatch.setattr(conv_module, "fused_kernel_available", lambda *t: False)
    plain = bi(x, mask)
    plain_grads = torch.autograd.grad(plain.square().sum(), [x, *bi.parameters()])
    assert torch.allclose(fused, plain, atol=1e-5)
    for got, want in zip(fused_grads, plain_grads):
        assert torch.allclose(got, want, atol=1e-4)
