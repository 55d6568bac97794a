"""The Trainer drives any object with the Task protocol, e.g. a self-supervised pretext task
whose metric is a loss (lower is better) — the interface GraphCLIP-style pretraining uses."""

import torch
import torch.nn.functional as F
from torch import nn

from graphkit.config import OptimConfig
from graphkit.trainers.run_dir import RunDir
from graphkit.trainers.trainer import Trainer


class FeatureReconstruction:
    """Pretext task: reconstruct masked node features from the rest of the row."""

    metric = "reconstruction_mse"
    higher_is_better = False
    out_channels = 4

    def __init__(self) -> None:
        g = torch.Generator().manual_seed(0)
        base = torch.randn(64, 2, generator=g)
        self.x = torch.cat([base, base @ torch.tensor([[1.0, -1.0], [2.0, 0.5]])], dim=1)  # learnable
        self.parts = {"train": self.x[:40], "valid": self.x[40:52], "test": self.x[52:]}

    def train_batches(self, epoch):
        yield self.parts["train"]

    def training_step(self, model, batch):
        masked = batch.clone()
        masked[:, 2:] = 0
        return F.mse_loss(model(masked), batch)

    def eval_batches(self, split):
        yield self.parts[split]

    def eval_step(self, model, batch):
        masked = batch.clone()
        masked[:, 2:] = 0
        return model(masked), batch

    def metrics(self, pred, target):
        return {"reconstruction_mse": float(F.mse_loss(pred, target))}


def test_trainer_runs_a_pretraining_task_and_minimizes_its_metric(tmp_path):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 4))
    task = FeatureReconstruction()
    run_dir = RunDir(tmp_path)
    trainer = Trainer(optim=OptimConfig(lr=0.01), epochs=150, run_dir=run_dir,
                      device=torch.device("cpu"), progress=False)
    result = trainer.fit(model, task, seed=0, split=0)
    first = run_dir.read_metrics()[0]["val_reconstruction_mse"]
    assert result.val["reconstruction_mse"] < 0.1 * first  # selected the lowest, not highest
    assert result.val["reconstruction_mse"] == min(r["val_reconstruction_mse"] for r in run_dir.read_metrics())
