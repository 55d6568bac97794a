import torch

from graphkit.config import ModelConfig, from_dict
from graphkit.linkpred.adjacency import build_adjacency
from graphkit.models import build_model_for
from graphkit.nn.link.link_encoder import LinkEncoder
from tests.linkpred._graphs import EDGES, NUM_NODES, dense_adjacency
from tests.models.test_ncn import PAIRS, _link_dataset


def test_pure_gcn_encoder_equals_dense_normalized_propagation():
    torch.manual_seed(0)
    enc = LinkEncoder(5, 4, num_layers=2, conv="puregcn").eval()
    x = torch.randn(NUM_NODES, 5)
    a_hat = dense_adjacency() + torch.eye(NUM_NODES)
    d = a_hat.sum(1).rsqrt()
    norm = d.view(-1, 1) * a_hat * d.view(1, -1)
    expected = norm @ (norm @ enc.input_lin(x))
    torch.testing.assert_close(enc(x, build_adjacency(EDGES, NUM_NODES)), expected)


def test_pure_gcn_encoder_sparse_features_equal_dense():
    torch.manual_seed(0)
    enc = LinkEncoder(5, 4, conv="puregcn", jk=True).eval()
    x = torch.randn(NUM_NODES, 5) * (torch.rand(NUM_NODES, 5) > 0.7)
    adj = build_adjacency(EDGES, NUM_NODES)
    torch.testing.assert_close(enc(x.to_sparse_csr(), adj), enc(x, adj))


def test_gae_dot_decoder_is_inner_product():
    cfg = from_dict(ModelConfig, {"name": "gae", "hidden_channels": 6, "decoder": "dot"})
    dataset = _link_dataset()
    model = build_model_for(cfg, dataset, 1).eval()
    adj = build_adjacency(EDGES, NUM_NODES)
    h = model.encode(dataset.data.x, adj)
    torch.testing.assert_close(model.predict(h, adj, PAIRS), (h[PAIRS[0]] * h[PAIRS[1]]).sum(-1))
    assert not model.target_link_removal


def test_gae_mlp_decoder_with_sage_encoder_trains():
    cfg = from_dict(ModelConfig, {"name": "gae", "conv": "sage", "hidden_channels": 6,
                                  "decoder": "mlp", "predictor_lr_scale": 5.0})
    dataset = _link_dataset()
    model = build_model_for(cfg, dataset, 1)
    # optim.lr drives both groups; the decoder's is scaled
    assert [g["lr"] for g in model.param_groups(0.1)] == [0.1, 0.5]
    assert [g["lr"] for g in model.param_groups(0.01)] == [0.01, 0.05]
    out = model(dataset.data.x, build_adjacency(EDGES, NUM_NODES), PAIRS)
    out.sum().backward()
    assert out.shape == (PAIRS.size(1),)
    assert model.decoder[0].weight.grad is not None
