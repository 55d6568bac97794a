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


def test_regrowth_brings_back_a_pruned_weight_whose_gradient_grew_it():
    model = tiny_gps()
    pruner = MagnitudePruner(0.5, total_steps=10, every=5, regrow=True)
    pruner.attach(model.layers)
    pruner.update(model.layers, 10)
    ff1 = model.layers[0].ff1
    mask = ff1.parametrizations.weight[0].mask
    pruned = (mask == 0).nonzero()[0]
    x = torch.randn(4, ff1.in_features)
    ff1(x).sum().backward()  # the straight-through mask lets pruned weights see gradients
    assert ff1.parametrizations.weight.original.grad[tuple(pruned)] != 0
    with torch.no_grad():
        ff1.parametrizations.weight.original[tuple(pruned)] = 100.0
    pruner.update(model.layers, 10)
    assert mask[tuple(pruned)] == 1.0
    assert (1 - mask.mean()).item() == pytest.approx(0.5, abs=1e-2)
