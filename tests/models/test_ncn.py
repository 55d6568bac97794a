import pytest
import torch

from graphkit.config import ModelConfig, from_dict
from graphkit.datasets.loaded_dataset import LoadedDataset
from graphkit.linkpred.adjacency import build_adjacency
from graphkit.models import build_model_for
from graphkit.nn.link.ncn_predictor import NCNPredictor
from tests.linkpred._graphs import EDGES, NUM_NODES, dense_adjacency

PAIRS = torch.tensor([[0, 1, 2, 0, 5], [3, 2, 4, 5, 1]])


def _predictor(variant: str, seed: int = 0) -> NCNPredictor:
    torch.manual_seed(seed)
    p = NCNPredictor(4, 8, layer_norm=True, use_xlin=True, tail_act=True, beta=0.7,
                     variant=variant, completion_scale=2.0, completion_offset=0.5,
                     completion_pt=0.6, completion_alpha=0.9)
    return p.eval()


def _dense_ncn(p: NCNPredictor, x, dense, pairs, extra=None):
    xn = x + p.xlin(x)
    xcn = (dense[pairs[0]] * dense[pairs[1]]) @ xn
    if extra is not None:
        xcn = xcn + extra @ xn
    return p.lin(p.xcnlin(xcn) * p.beta + p.xijlin(x[pairs[0]] * x[pairs[1]])).view(-1)


def test_ncn_predictor_equals_dense_reference():
    p = _predictor("ncn")
    x = torch.randn(NUM_NODES, 4)
    adj = build_adjacency(EDGES, NUM_NODES)
    with torch.no_grad():
        torch.testing.assert_close(p(x, adj, PAIRS), _dense_ncn(p, x, dense_adjacency(), PAIRS))


def test_ncnc_completion_equals_dense_reference():
    p = _predictor("ncnc")
    x = torch.randn(NUM_NODES, 4)
    adj = build_adjacency(EDGES, NUM_NODES)
    dense = dense_adjacency()
    alpha, scale, offset, pt = 0.9, 2.0, 0.5, 0.6
    with torch.no_grad():
        # the inner NCN pass takes the transformed embeddings, as in the reference code
        x_inner = x + p.xlin(x)
        weights = torch.zeros(PAIRS.size(1), NUM_NODES)
        for b, (i, j) in enumerate(PAIRS.t().tolist()):
            for end, other in ((i, j), (j, i)):
                for k in range(NUM_NODES):
                    if dense[end, k] and not dense[other, k]:
                        logit = _dense_ncn(p, x_inner, dense, torch.tensor([[other], [k]]))
                        p0 = torch.sigmoid(scale * (logit - offset))
                        weights[b, k] += float(alpha * pt * p0 / (pt * p0 + 1 - p0))
        expected = _dense_ncn(p, x, dense, PAIRS, extra=weights)
        torch.testing.assert_close(p(x, adj, PAIRS), expected)


def test_ncn2_adds_two_hop_term():
    x = torch.randn(NUM_NODES, 4)
    adj = build_adjacency(EDGES, NUM_NODES)
    p = _predictor("ncn2")
    dense = dense_adjacency()
    two = ((dense @ dense) > 0).float()
    with torch.no_grad():
        xn = x + p.xlin(x)
        a_i, a_j = dense[PAIRS[0]], dense[PAIRS[1]]
        xcn2 = (a_i * two[PAIRS[1]] + two[PAIRS[0]] * a_j) @ xn
        z = p.xcnlin((a_i * a_j) @ xn) * p.beta + p.xijlin(x[PAIRS[0]] * x[PAIRS[1]])
        torch.testing.assert_close(p(x, adj, PAIRS), p.lin(z + p.xcn2lin(xcn2)).view(-1))


def _link_dataset(features: int = 5) -> LoadedDataset:
    from torch_geometric.data import Data

    data = Data(x=torch.randn(NUM_NODES, features) if features else None, edge_index=EDGES,
                num_nodes=NUM_NODES)
    return LoadedDataset(name="toy", task="link_prediction", metric="hits@20", splits=[],
                         num_features=features, num_classes=1, data=data)


@pytest.mark.parametrize("name", ["ncn", "ncnc", "ncn2"])
def test_ncn_builds_from_config_and_trains(name):
    cfg = from_dict(ModelConfig, {"name": name, "hidden_channels": 8,
                                  "predictor_lr_scale": 0.25})
    model = build_model_for(cfg, _link_dataset(), 1)
    # optim.lr takes effect: the encoder gets it, the predictor a fixed fraction of it
    assert [g["lr"] for g in model.param_groups(0.1)] == [0.1, 0.025]
    assert [g["lr"] for g in model.param_groups(0.02)] == [0.02, 0.005]
    assert model.target_link_removal
    adj = build_adjacency(EDGES, NUM_NODES)
    out = model(_link_dataset().data.x, adj, PAIRS)
    assert out.shape == (PAIRS.size(1),)
    out.sum().backward()
    assert all(p.grad is not None for p in model.encoder.parameters())


def test_ncn_featureless_graph_uses_node_embeddings():
    cfg = from_dict(ModelConfig, {"name": "ncn", "hidden_channels": 8, "conv": "puresum",
                                  "residual": True})
    model = build_model_for(cfg, _link_dataset(features=0), 1).eval()
    assert model.encoder.embedding.num_embeddings == NUM_NODES
    out = model(None, build_adjacency(EDGES, NUM_NODES), PAIRS)
    assert torch.isfinite(out).all()


def test_ncn_config_rejects_bad_values():
    from graphkit.errors import ConfigError

    with pytest.raises(ConfigError, match="conv"):
        from_dict(ModelConfig, {"name": "ncn", "conv": "gat"})
    with pytest.raises(ConfigError, match="predictor_dropout"):
        from_dict(ModelConfig, {"name": "ncnc", "predictor_dropout": 1.5})
