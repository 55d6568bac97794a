import pytest
import torch

from graphkit.errors import ConfigError
from graphkit.sparsify.budget_plan import PlanCosts, learned_scores, magnitude_scores, random_scores, select_plan
from graphkit.sparsify.gps_flops import GraphSizes, count_flops
from graphkit.sparsify.masked_gps import MaskedGPS
from tests.sparsify.tiny_gps import tiny_batch, tiny_gps


@pytest.mark.parametrize("target", [0.9, 0.7, 0.5])
def test_select_plan_meets_the_budget(target):
    model, batch = tiny_gps(num_layers=4), tiny_batch()
    sizes = [GraphSizes.of(batch)]
    masked = MaskedGPS(model, gate_scale=1.0)
    with torch.no_grad():
        masked.head_gate.theta.copy_(torch.linspace(-1, 1, 16))
    dense = count_flops(model, batch).total
    for scores in (learned_scores(masked), magnitude_scores(masked), random_scores(masked, 0)):
        plan = select_plan(masked, sizes, target, scores)
        costs = PlanCosts.of(masked, sizes)
        ratio = costs.ratio(plan[0].tolist(), plan[1].sum(1).tolist(), plan[2].sum(1).tolist())
        assert ratio <= target
        assert costs.dense == pytest.approx(dense)
        assert plan[0].sum() >= 1


def test_learned_plan_removes_the_lowest_gates_first():
    model, batch = tiny_gps(num_layers=4), tiny_batch()
    masked = MaskedGPS(model, layer_gates=False, ffn_gates=False)
    with torch.no_grad():
        masked.head_gate.theta.fill_(1.0)
        masked.head_gate.theta[5] = -1.0  # layer 1, head 1
    sizes = [GraphSizes.of(batch)]
    costs = PlanCosts.of(masked, sizes)
    one_head = costs.per_layer[1][1] / costs.dense  # the budget removes exactly one head
    _, heads, _ = select_plan(masked, sizes, 1.0 - one_head * 0.999, learned_scores(masked))
    assert heads[1, 1] == 0 and heads.sum() == 15


def test_select_plan_refuses_an_unreachable_budget():
    model, batch = tiny_gps(), tiny_batch()
    masked = MaskedGPS(model, layer_gates=False, ffn_gates=False)
    with pytest.raises(ConfigError, match="cannot be reached"):
        select_plan(masked, [GraphSizes.of(batch)], 0.1, learned_scores(masked))


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("target", [0.8, 0.6])
def test_plan_keeps_every_removed_unit_that_still_fits(seed, target):
    # Random scores interleave heads and whole layers: the layer that crosses the budget
    # overshoots it, and the plan must put back the removed heads that still fit, so that
    # methods are compared at (nearly) the same FLOPs.
    model, batch = tiny_gps(num_layers=4), tiny_batch()
    sizes = [GraphSizes.of(batch)]
    masked = MaskedGPS(model, layer_gates=False, head_gates=False, ffn_gates=False)
    costs = PlanCosts.of(masked, sizes)
    layer, heads, ffn = select_plan(masked, sizes, target, random_scores(masked, seed))

    def ratio():
        return costs.ratio(layer.tolist(), heads.sum(1).tolist(), ffn.sum(1).tolist())

    assert ratio() <= target
    for unit in [layer[i:i + 1] for i in range(4)] + [heads[i, j:j + 1] for i in range(4) for j in range(4)]:
        if unit.item() == 0:
            unit.fill_(1)
            assert ratio() > target
            unit.zero_()
