import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode, sdpa_flop_count

from graphkit.models.graph_gps import GraphGPSConfig
from graphkit.nn.mamba.cpu_scan_kernel import cpu_scan_kernel
from graphkit.sparsify.compaction import compact
from graphkit.sparsify.gps_flops import count_flops
from graphkit.sparsify.masked_gps import MaskedGPS
from tests.sparsify.tiny_gps import tiny_batch, tiny_family, tiny_gps, warm_norms


def _sdpa(query_shape, key_shape, value_shape, *args, out_shape=None, **kwargs) -> int:
    return sdpa_flop_count(query_shape, key_shape, value_shape)


# torch's counter has a formula for SDPA but does not map the CPU flash kernel to it
_CPU_SDPA = {torch.ops.aten._scaled_dot_product_flash_attention_for_cpu: _sdpa}


def _measured(model, batch) -> int:
    with torch.no_grad(), FlopCounterMode(display=False, custom_mapping=_CPU_SDPA) as counter:
        model(batch)
    return counter.get_total_flops()


def test_count_flops_matches_flop_counter_mode_on_dense_gps():
    for local_conv in ("gine", "gatedgcn", "none"):
        model, batch = tiny_gps(local_conv), tiny_batch()
        model.eval()
        report = count_flops(model, batch)
        assert report.dense_products == _measured(model, batch)
        assert report.components["attention"] > 0 and report.components["ffn"] > 0
        assert sum(report.layers) == report.total - report.components["encoders"] - report.components["head"]


def test_count_flops_matches_flop_counter_mode_on_compacted_gps():
    model, batch = tiny_gps(), tiny_batch()
    warm_norms(model, batch)
    masked = MaskedGPS(model, token_ratio=0.5, edge_ratio=0.7).eval()
    heads = torch.tensor([[1.0, 0, 1, 0], [0, 0, 0, 0], [1, 1, 1, 1]])
    ffn = (torch.arange(32) % 3 != 0).float().expand(3, 32)
    masked.fix(torch.tensor([1.0, 1.0, 0.0]), heads, ffn)
    _, small = compact(masked, GraphGPSConfig(name="gps", hidden_channels=16, num_layers=3, heads=4,
                                              rwse_channels=4))
    report = count_flops(small, batch)
    assert report.dense_products == _measured(small, batch)
    dense = count_flops(model, batch)
    assert report.components["attention"] < dense.components["attention"] / 3
    assert report.components["scorers"] > 0



@pytest.mark.parametrize("kind", ["transformer", "performer", "mamba", "mamba-bi", "gmn", "gmn_nodes", "gsm"])
def test_count_flops_matches_flop_counter_mode_for_every_mixer(kind):
    if kind not in ("transformer", "performer") and cpu_scan_kernel() is None:
        pytest.skip("the counter counts Mamba's fused CPU scan; the PyTorch fallback adds a bmm")
    model, batch = tiny_family(kind).eval(), tiny_batch()
    report = count_flops(model, batch)
    assert report.dense_products == _measured(model, batch)
    mixed = report.components["attention"] + report.components["mixer"]
    assert mixed > 0 and report.components["ffn"] > 0
    if kind not in ("transformer", "performer"):
        assert report.components["mixer_sequential"] > 0  # Mamba's convolution and scan
