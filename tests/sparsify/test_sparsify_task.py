import pytest
import torch

from graphkit.datasets.loaded_dataset import GRAPH_REGRESSION
from graphkit.sparsify.budget_plan import PlanCosts
from graphkit.sparsify.gps_flops import GraphSizes
from graphkit.sparsify.masked_gps import MaskedGPS
from graphkit.sparsify.sparsify_task import SparsifyTask
from tests.sparsify.tiny_gps import tiny_batch, tiny_gps


class _Regression:
    metric, higher_is_better, out_channels, kind = "mae", False, 2, GRAPH_REGRESSION

    def train_batches(self, epoch):
        return iter([tiny_batch(epoch), tiny_batch(epoch + 1), tiny_batch(epoch + 2)])

    def training_step(self, model, batch):
        return self.loss(model(batch), batch)

    def loss(self, out, batch):
        return (out - batch.y).abs().mean()


def _task(**kwargs) -> SparsifyTask:
    model, batch = tiny_gps(), tiny_batch()
    masked = MaskedGPS(model, gate_scale=10.0)
    return SparsifyTask(_Regression(), masked, PlanCosts.of(masked, [GraphSizes.of(batch)]), 0.6, 5.0, **kwargs)


def test_budget_penalty_pushes_every_gate_toward_closing_and_ramps():
    task = _task(ramp_steps=10)
    assert task.target_at(0) == 1.0 and task.target_at(5) == pytest.approx(0.8) and task.target_at(50) == 0.6
    task.model.step.fill_(10)
    gap = task.expected_ratio() - 0.6
    assert 0.3 < float(gap) < 0.41  # every gate starts open: r is ~0.99
    task.model.eval()  # deterministic forward: the step's loss is the task loss plus the penalty
    plain = _Regression().training_step(task.model, tiny_batch())
    penalty = 5.0 * (gap + gap * gap)
    torch.testing.assert_close(task.training_step(task.model, tiny_batch()), plain + penalty.float())
    assert int(task.model.step) == 11
    task.model.zero_grad()
    task.expected_ratio().backward()
    for gate in (task.model.layer_gate, task.model.head_gate, task.model.ffn_gate):
        assert bool((gate.theta.grad > 0).all())  # opening any gate raises the FLOPs


def test_max_batches_cuts_epochs_short():
    task = _task(max_batches=2)
    assert len(list(task.train_batches(0))) == 2


def test_distillation_mixes_the_task_loss_with_the_distance_to_the_teacher():
    model, batch = tiny_gps(), tiny_batch()
    teacher = tiny_gps().eval()
    with torch.no_grad():
        teacher.layers[0].ff1.weight.add_(0.5)  # a teacher that disagrees with the student
    masked = MaskedGPS(model, gate_scale=10.0).eval()
    task = SparsifyTask(_Regression(), masked, PlanCosts.of(masked, [GraphSizes.of(batch)]), 0.6, 0.0,
                        teacher=teacher, distill=0.25)
    with torch.no_grad():
        out, t = masked(batch), teacher(batch)
    expected = 0.75 * (out - batch.y).abs().mean() + 0.25 * (out - t).abs().mean()
    assert float((out - t).abs().mean()) > 1e-3
    torch.testing.assert_close(task.training_step(masked, batch), expected)
    with pytest.raises(ValueError, match="teacher"):
        SparsifyTask(_Regression(), masked, task.costs, 0.6, 0.0, distill=0.5)
