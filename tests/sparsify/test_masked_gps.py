import pytest
import torch

from graphkit.sparsify.masked_gps import MaskedGPS
from tests.sparsify.tiny_gps import tiny_batch, tiny_family, tiny_gps, warm_norms


@pytest.mark.parametrize("local_conv", ["gine", "gatedgcn", "none"])
def test_masked_gps_gates_at_one_reproduce_dense_exactly(local_conv):
    model, batch = tiny_gps(local_conv), tiny_batch()
    warm_norms(model, batch)
    masked = MaskedGPS(model).eval()
    layer, head, ffn = masked.gates()
    assert bool((layer == 1).all() and (head == 1).all() and (ffn == 1).all())
    with torch.no_grad():
        assert torch.equal(masked(batch), model(batch))


def test_masked_gps_closed_layer_is_identity_and_gates_get_gradients():
    model, batch = tiny_gps(), tiny_batch()
    warm_norms(model, batch)
    masked = MaskedGPS(model, gate_scale=10.0)
    with torch.no_grad():
        masked.layer_gate.theta[1] = -10.0  # log-odds -97: the gate is exactly 0
    masked.eval()
    ref = MaskedGPS(model).eval()
    ref.fix(torch.tensor([1.0, 0.0, 1.0]), torch.ones(3, 4), torch.ones(3, 32))
    with torch.no_grad():
        assert torch.equal(masked(batch), ref(batch))
    masked.train()
    torch.manual_seed(0)
    for _ in range(5):  # a sampled gate clamped at 1 has no gradient; ~20 % of samples are not
        masked(batch).sum().backward()
    assert masked.head_gate.theta.grad.abs().sum() > 0 and masked.ffn_gate.theta.grad.abs().sum() > 0


def test_masked_gps_token_and_edge_scorers_learn_through_straight_through_masks():
    model, batch = tiny_gps(), tiny_batch()
    masked = MaskedGPS(model, token_ratio=0.5, edge_ratio=0.5).train()
    masked(batch).pow(2).sum().backward()
    assert all(s.weight.grad.abs().sum() > 0 for s in masked.token_scorers)
    assert all(s.weight.grad.abs().sum() > 0 for s in masked.edge_scorers)


@pytest.mark.parametrize("kind", ["performer", "mamba", "gmn", "gmn_nodes", "gsm"])
def test_masked_gps_family_gates_at_one_reproduce_dense_exactly(kind):
    model, batch = tiny_family(kind), tiny_batch()
    warm_norms(model, batch)
    masked = MaskedGPS(model).eval()
    with torch.no_grad():
        torch.manual_seed(0)  # the same noisy node orderings for both
        got = masked(batch)
        torch.manual_seed(0)
        assert torch.equal(got, model(batch))
    assert all(layer.masks is None for layer in model.layers)  # masks last one pass


def test_masked_gps_family_closed_layer_is_identity():
    model, batch = tiny_family("gsm"), tiny_batch()
    warm_norms(model, batch)
    masked = MaskedGPS(model).eval()
    masked.fix(torch.tensor([0.0, 1.0]), masked.head_keep, masked.ffn_keep)
    with torch.no_grad():
        torch.manual_seed(0)
        got = masked(batch)
        del model.layers[0]
        torch.manual_seed(0)
        assert torch.equal(got, model(batch))


def test_masked_gps_rejects_local_convs_it_cannot_count():
    with pytest.raises(ValueError, match="local_conv"):
        MaskedGPS(tiny_gps(local_conv="gcn"))
