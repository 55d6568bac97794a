import torch

from graphkit.nn.encoding.sign_net_encoder import SignNetEncoder


def _graph():
    # a 6-cycle with a chord, and 4 "eigenvector" columns (any values: the encoder's
    # invariances do not depend on them being eigenvectors)
    ring = torch.tensor([[0, 1, 2, 3, 4, 5, 0], [1, 2, 3, 4, 5, 0, 3]])
    edge_index = torch.cat([ring, ring.flip(0)], dim=1)
    return torch.randn(6, 4), edge_index


def test_signnet_is_invariant_to_each_eigenvector_sign():
    torch.manual_seed(0)
    enc = SignNetEncoder(4, 8, phi_layers=3, phi_hidden=16, phi_out=2, rho_layers=2).eval()
    vecs, edge_index = _graph()
    out = enc(vecs, edge_index=edge_index)
    flipped = vecs.clone()
    flipped[:, [1, 3]] *= -1  # any subset of signs
    assert torch.allclose(enc(flipped, edge_index=edge_index), out, atol=1e-5)
    # but not to changing an eigenvector's values
    changed = vecs.clone()
    changed[0, 1] += 1.0
    assert not torch.allclose(enc(changed, edge_index=edge_index), out, atol=1e-3)


def test_signnet_is_permutation_equivariant():
    torch.manual_seed(0)
    enc = SignNetEncoder(4, 8, phi_layers=3, phi_hidden=16, phi_out=2, rho_layers=2).eval()
    vecs, edge_index = _graph()
    perm = torch.randperm(6)
    inverse = torch.empty_like(perm)
    inverse[perm] = torch.arange(6)
    out = enc(vecs, edge_index=edge_index)
    assert torch.allclose(enc(vecs[perm], edge_index=inverse[edge_index]), out[perm], atol=1e-5)


def test_signnet_masks_missing_eigenvectors_and_trains():
    torch.manual_seed(0)
    enc = SignNetEncoder(4, 8, phi_layers=2, phi_hidden=16, phi_out=2, rho_layers=2)
    vecs, edge_index = _graph()
    vecs[:, 2:] = float("nan")  # a graph with only two eigenvectors
    out = enc(vecs, edge_index=edge_index)
    assert torch.isfinite(out).all()
    out.square().sum().backward()
    assert all(torch.isfinite(p.grad).all() for p in enc.parameters() if p.grad is not None)
    enc.eval()
    zeros = torch.nan_to_num(vecs, nan=0.0)  # zeros would be encoded as if they were real
    assert not torch.allclose(enc(zeros, edge_index=edge_index), enc(vecs, edge_index=edge_index))
