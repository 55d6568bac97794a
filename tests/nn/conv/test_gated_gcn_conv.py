import torch

from graphkit.nn.conv.gated_gcn_conv import GatedGCNConv
from tests.nn._graphs import permute_nodes, two_graphs


def test_gated_gcn_conv_matches_dense_loop():
    torch.manual_seed(0)
    data = two_graphs(channels=4)
    conv = GatedGCNConv(4, residual=False).eval()
    x_out, e_out = conv(data.x, data.edge_index, data.edge_attr)
    A, B, D, E = conv.node_proj(data.x).chunk(4, dim=-1)
    C = conv.edge_proj(data.edge_attr)
    num = torch.zeros_like(A)
    den = torch.zeros_like(A)
    e_hat = torch.zeros_like(C)
    for k, (j, i) in enumerate(data.edge_index.T.tolist()):  # j -> i
        e_hat[k] = D[i] + E[j] + C[k]
        num[i] += torch.sigmoid(e_hat[k]) * B[j]
        den[i] += torch.sigmoid(e_hat[k])
    x_ref = torch.relu(conv.norm_x(A + num / (den + 1e-6)))
    e_ref = torch.relu(conv.norm_e(e_hat))
    assert torch.allclose(x_out, x_ref, atol=1e-5)
    assert torch.allclose(e_out, e_ref, atol=1e-5)


def test_gated_gcn_conv_permutation_equivariant():
    torch.manual_seed(0)
    data = two_graphs()
    conv = GatedGCNConv(8).eval()
    perm = torch.randperm(8)
    x_p, ei_p = permute_nodes(data.x, data.edge_index, perm)
    x_out, e_out = conv(data.x, data.edge_index, data.edge_attr)
    x_out_p, e_out_p = conv(x_p, ei_p, data.edge_attr)
    assert torch.allclose(x_out_p, x_out[perm], atol=1e-5)
    assert torch.allclose(e_out_p, e_out, atol=1e-5)  # edges kept their order
