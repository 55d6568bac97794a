import pytest
import torch

from graphkit.sparsify.magnitude_pruner import MagnitudePruner
from tests.sparsify.tiny_gps import tiny_gps


def test_cubic_schedule_reaches_the_final_sparsity():
    pruner = MagnitudePruner(0.8, total_steps=100)
    assert pruner.sparsity_at(0) == 0.0
    assert pruner.sparsity_at(50) == pytest.approx(0.8 * (1 - 0.5 ** 3))
    assert pruner.sparsity_at(100) == pytest.approx(0.8) and pruner.sparsity_at(500) == pytest.approx(0.8)


def test_magnitude_masks_drop_the_smallest_weights_and_only_grow():
    model = tiny_gps()
    pruner = MagnitudePruner(0.6, total_steps=10, every=5)
    pruner.attach(model.layers)
    w = model.layers[0].ff1.parametrizations.weight.original.detach().clone()
    pruner.update(model.layers, 5)
    mask5 = model.layers[0].ff1.parametrizations.weight[0].mask.clone()
    assert (1 - mask5.mean()).item() == pytest.approx(pruner.sparsity_at(5), abs=1e-2)
    assert w.abs()[mask5 == 0].max() <= w.abs()[mask5 == 1].min()
    pruner.update(model.layers, 7)  # off the grid: no change
    assert torch.equal(model.layers[0].ff1.parametrizations.weight[0].mask, mask5)
    pruner.update(model.layers, 10)
    mask10 = model.layers[0].ff1.parametrizations.weight[0].mask
    assert bool((mask10 <= mask5).all())
    assert MagnitudePruner.weight_sparsity(model.layers) == pytest.approx(0.6, abs=1e-2)
