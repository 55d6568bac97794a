import pytest
import torch
import torch.nn.functional as F

from graphkit.nn.mamba.packed_causal_conv import packed_causal_conv_silu
from graphkit.nn.mamba.packed_sequences import PackedSequences


def _case():
    torch.manual_seed(0)
    lengths = torch.tensor([5, 1, 3, 5, 2])
    seq = torch.repeat_interleave(torch.arange(5), lengths)
    pos = torch.cat([torch.randperm(int(n)) for n in lengths])
    layout = PackedSequences.from_positions(seq, pos)
    x = torch.randn(2, seq.numel(), 6)  # two stacks, token order = slot order here
    weight, bias = torch.randn(2, 6, 4), torch.randn(2, 6)
    return layout, seq, pos, lengths, x, weight, bias


@pytest.mark.parametrize("use_kernel", [False, True])
def test_packed_causal_conv_equals_conv1d_per_sequence_with_gradients(use_kernel):
    from graphkit.nn.mamba.cpu_scan_kernel import cpu_scan_kernel

    if use_kernel and cpu_scan_kernel() is None:
        pytest.skip("the fused CPU kernel could not be built here (no C++ compiler?)")
    layout, seq, pos, lengths, x, weight, bias = _case()
    x, weight, bias = (t.requires_grad_() for t in (x, weight, bias))
    slots = layout.gather(x.transpose(0, 1).reshape(seq.numel(), -1)).view(-1, 2, 6)
    out = packed_causal_conv_silu(slots.transpose(0, 1), weight, bias, layout, use_kernel)
    out = layout.scatter(out.transpose(0, 1).reshape(seq.numel(), -1)).view(-1, 2, 6)
    ref = torch.zeros_like(out)
    for s, n in enumerate(lengths.tolist()):
        rows = (seq == s).nonzero().squeeze(1)
        rows = rows[torch.argsort(pos[rows])]  # in sequence order
        for g in range(2):
            signal = x[g, rows].T[None]  # [1, C, n]
            conv = F.conv1d(F.pad(signal, (3, 0)), weight[g].unsqueeze(1), bias[g], groups=6)
            ref[rows, g] = F.silu(conv[0].T)
    assert torch.allclose(out, ref, atol=1e-5)
    w = torch.randn_like(ref)
    for got, want in zip(torch.autograd.grad((out * w).sum(), (x, weight, bias)),
                         torch.autograd.grad((ref * w).sum(), (x, weight, bias))):
        assert torch.allclose(got, want, atol=1e-4)
