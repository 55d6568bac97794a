import torch

from graphkit.nn.attention.graph_self_attention import GraphSelfAttention
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
