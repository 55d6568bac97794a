import pytest
import torch

from graphkit.models import build_model
from graphkit.models.graph_gps import GraphGPSConfig
from graphkit.models.model_inputs import ModelInputs
from graphkit.sparsify.compaction import compact
from graphkit.sparsify.magnitude_pruner import MagnitudePruner
from graphkit.sparsify.masked_gps import MaskedGPS
from graphkit.sparsify.gps_flops import count_flops
from tests.sparsify.tiny_gps import FAMILY_CONFIGS, FAMILY_INPUTS, tiny_batch, tiny_family, tiny_gps, warm_norms

CFG = dict(name="gps", hidden_channels=16, num_layers=3, heads=4, rwse_channels=4)
INPUTS = ModelInputs(level="graph", out_channels=2, node_encoder="embedding", num_node_types=5,
                     edge_encoder="embedding", num_edge_types=3, rwse_dim=3)


def _plan(seed: int):
    gen = torch.Generator().manual_seed(seed)
    heads = (torch.rand(3, 4, generator=gen) > 0.5).float()
    heads[1] = 0.0  # a layer whose heads are all gone keeps only the output bias
    ffn = (torch.rand(3, 32, generator=gen) > 0.4).float()
    ffn[2] = 0.0  # and an FFN with no channel left
    return torch.tensor([1.0, 1.0, 1.0]), heads, ffn


@pytest.mark.parametrize("local_conv,tokens,edges", [("gine", 0.5, 0.6), ("gatedgcn", 0.7, 1.0), ("none", 0.4, 1.0)])
def test_compacted_model_matches_masked_model(local_conv, tokens, edges):
    model, batch = tiny_gps(local_conv), tiny_batch()
    warm_norms(model, batch)
    masked = MaskedGPS(model, token_ratio=tokens, edge_ratio=edges)
    pruner = MagnitudePruner(0.5, total_steps=10, every=5)
    pruner.attach(masked.base.layers)
    pruner.update(masked.base.layers, 5)
    masked.fix(*_plan(0))
    layer_keep = masked.layer_keep.clone()
    layer_keep[0] = 0.0
    masked.fix(layer_keep, masked.head_keep, masked.ffn_keep)
    masked.eval()
    cfg, small = compact(masked, GraphGPSConfig(**{**CFG, "local_conv": local_conv}))
    assert cfg.num_layers == 2 and cfg.layer_heads[0] == 0 and cfg.layer_ffn_channels[1] == 0
    with torch.no_grad():
        want = masked(batch)
        torch.testing.assert_close(small(batch), want, rtol=1e-5, atol=1e-6)
    # the checkpoint's config + inputs rebuild the same model
    rebuilt = build_model(cfg, INPUTS)
    rebuilt.load_state_dict(small.state_dict())
    with torch.no_grad():
        torch.testing.assert_close(rebuilt.eval()(batch), want, rtol=1e-5, atol=1e-6)
    assert sum(p.numel() for p in small.parameters()) < sum(p.numel() for p in model.parameters())
    assert MagnitudePruner.weight_sparsity(small.layers) > 0.3


def test_compaction_needs_a_fixed_plan():
    masked = MaskedGPS(tiny_gps())
    with pytest.raises(ValueError, match="fixed"):
        compact(masked, GraphGPSConfig(**CFG))


@pytest.mark.parametrize("kind", ["mamba", "performer", "gmn", "gsm"])
def test_compaction_of_every_gps_family_matches_masked_model(kind):
    model, batch = tiny_family(kind), tiny_batch()
    warm_norms(model, batch)
    masked = MaskedGPS(model)
    assert masked.has_attention is False  # only the layers and FFN channels carry masks here
    pruner = MagnitudePruner(0.5, total_steps=10, every=5)
    pruner.attach(masked.base.layers)
    pruner.update(masked.base.layers, 5)
    ffn = (torch.rand(2, 32, generator=torch.Generator().manual_seed(0)) > 0.4).float()
    ffn[1] = 0.0  # an FFN with no channel left
    masked.fix(torch.tensor([1.0, 1.0]), masked.head_keep, ffn)
    masked.eval()
    dense_cfg = FAMILY_CONFIGS[kind]
    cfg, small = compact(masked, dense_cfg)
    assert cfg.layer_ffn_channels == (int(ffn[0].sum()), 0)
    with torch.no_grad():
        torch.manual_seed(1)  # Mamba's noisy orderings: the same draws for both
        want = masked(batch)
        torch.manual_seed(1)
        torch.testing.assert_close(small(batch), want, rtol=1e-5, atol=1e-6)
    rebuilt = build_model(cfg, FAMILY_INPUTS)  # the checkpoint's config rebuilds it
    rebuilt.load_state_dict(small.state_dict())
    with torch.no_grad():
        torch.manual_seed(1)
        torch.testing.assert_close(rebuilt.eval()(batch), want, rtol=1e-5, atol=1e-6)
    assert count_flops(small, batch).total < count_flops(model, batch).total
