import torch

from graphkit.nn.attention.graph_self_attention import GraphSelfAttention
from graphkit.nn.attention.padded_batch import PaddedBatch
from tests.nn._graphs import permute_nodes, two_graphs


def _reference(attn: GraphSelfAttention, x: torch.Tensor) -> torch.Tensor:
    mha = torch.nn.MultiheadAttention(attn.channels, attn.heads, batch_first=True)
    mha.in_proj_weight.data.copy_(attn.in_proj.weight)
    mha.in_proj_bias.data.copy_(attn.in_proj.bias)
    mha.out_proj.weight.data.copy_(attn.out_proj.weight)
    mha.out_proj.bias.data.copy_(attn.out_proj.bias)
    return mha(x[None], x[None], x[None], need_weights=False)[0][0]


def test_graph_self_attention_matches_multihead_attention_per_graph():
    torch.manual_seed(0)
    data = two_graphs()
    attn = GraphSelfAttention(8, heads=2).eval()
    out = attn(data.x, data.batch)
    for g in range(2):
        nodes = data.batch == g
        assert torch.allclose(out[nodes], _reference(attn, data.x[nodes]), atol=1e-5)


def test_graph_self_attention_permutation_equivariant():
    torch.manual_seed(0)
    data = two_graphs()
    attn = GraphSelfAttention(8, heads=2).eval()
    perm = torch.tensor([3, 0, 4, 2, 1, 7, 5, 6])  # stays within each graph
    x_p, _ = permute_nodes(data.x, data.edge_index, perm)
    assert torch.allclose(attn(x_p, data.batch), attn(data.x, data.batch)[perm], atol=1e-5)


def test_graph_self_attention_dropout_keeps_half_and_is_differentiable():
    torch.manual_seed(0)
    data = two_graphs()
    attn = GraphSelfAttention(8, heads=2, dropout=0.5).train()
    x = data.x.clone().requires_grad_()
    outs = torch.stack([attn(x, data.batch) for _ in range(200)])
    # dropout is unbiased: the mean over draws approaches the dropout-free output
    assert torch.allclose(outs.mean(0), attn.eval()(x, data.batch), atol=0.15)
    outs.sum().backward()
    assert torch.isfinite(x.grad).all() and x.grad.abs().sum() > 0


def test_graph_self_attention_dropout_backward_matches_autograd_reference():
    # the hand-written backward of the dropout path against autograd through
    # _dropout_attention, the [B, H, L, d] formulation, with the same dropout mask
    torch.manual_seed(0)
    data = two_graphs()
    attn = GraphSelfAttention(8, heads=2, dropout=0.5).train()
    x = data.x.clone().requires_grad_()
    padded = PaddedBatch.from_batch(data.batch, x.size(0))
    weight = torch.randn(x.size(0), 8)  # a loss whose gradient differs per element

    torch.manual_seed(1)
    out = attn(x, data.batch, padded)
    grads = torch.autograd.grad((out * weight).sum(), [x, *attn.parameters()])

    torch.manual_seed(1)
    qkv = padded.to_dense(attn.in_proj(x)).view(2, 5, 3, 2, 4).permute(2, 0, 3, 1, 4)
    ref = attn._dropout_attention(qkv[0], qkv[1], qkv[2], padded.mask.view(2, 1, 1, 5))
    ref = attn.out_proj(padded.to_flat(ref.transpose(1, 2).reshape(2, 5, 8)))
    ref_grads = torch.autograd.grad((ref * weight).sum(), [x, *attn.parameters()])

    assert torch.allclose(out, ref, atol=1e-6)
    for got, want in zip(grads, ref_grads):
        assert torch.allclose(got, want, atol=1e-5)


def test_graph_self_attention_dropout_path_passes_gradcheck():
    torch.manual_seed(0)
    data = two_graphs()
    attn = GraphSelfAttention(8, heads=2, dropout=0.3).double().train()
    x = data.x.double().requires_grad_()

    def run(x):
        torch.manual_seed(5)  # the same dropout mask at every evaluation
        return attn(x, data.batch)

    assert torch.autograd.gradcheck(run, (x,))
