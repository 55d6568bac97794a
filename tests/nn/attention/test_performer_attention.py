import torch

from graphkit.nn.attention.performer_attention import PerformerAttention
from tests.nn._graphs import permute_nodes, two_graphs


def test_performer_attention_independent_of_other_graphs_in_batch():
    torch.manual_seed(0)
    data = two_graphs()
    attn = PerformerAttention(8, heads=2).eval()
    out = attn(data.x, data.batch)
    first = data.batch == 0
    alone = attn(data.x[first], torch.zeros(5, dtype=torch.long))
    assert torch.allclose(out[first], alone, atol=1e-5)


def test_performer_attention_permutation_equivariant():
    torch.manual_seed(0)
    data = two_graphs()
    attn = PerformerAttention(8, heads=2).eval()
    perm = torch.tensor([4, 2, 0, 1, 3, 6, 7, 5])
    x_p, _ = permute_nodes(data.x, data.edge_index, perm)
    assert torch.allclose(attn(x_p, data.batch), attn(data.x, data.batch)[perm], atol=1e-5)


def test_performer_attention_approximates_softmax_attention():
    torch.manual_seed(0)
    x = torch.randn(6, 8) * 0.5
    attn = PerformerAttention(8, heads=1, num_features=4096).eval()
    q, k, v = attn.in_proj(x).chunk(3, dim=-1)
    exact = torch.softmax(q @ k.T / 8 ** 0.5, dim=-1) @ v
    out = attn(x, torch.zeros(6, dtype=torch.long))
    assert torch.allclose(out, attn.out_proj(exact), atol=0.05)
