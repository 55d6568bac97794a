import torch
from torch import nn

from graphkit.config.run_config import OptimConfig
from graphkit.trainers.optim import build_optimizer


def test_build_optimizer_fused_adamw_matches_the_loop_implementation():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
    loop = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
    loop.load_state_dict(model.state_dict())
    cfg = OptimConfig(name="adamw", lr=1e-2, weight_decay=1e-2)
    fused = build_optimizer(model, cfg)
    reference = torch.optim.AdamW(loop.parameters(), lr=1e-2, weight_decay=1e-2, foreach=False)
    assert fused.defaults["fused"]
    x, y = torch.randn(16, 4), torch.randn(16, 1)
    for _ in range(5):
        for net, opt in ((model, fused), (loop, reference)):
            opt.zero_grad()
            (net(x) - y).square().mean().backward()
            opt.step()
    for a, b in zip(model.parameters(), loop.parameters()):
        assert torch.allclose(a, b, atol=1e-6)


def test_build_optimizer_keeps_param_groups_of_models_that_define_them():
    class TwoRates(nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b = nn.Linear(2, 2), nn.Linear(2, 2)

        def param_groups(self, lr):
            return [{"params": list(self.a.parameters()), "lr": lr},
                    {"params": list(self.b.parameters()), "lr": lr * 10}]

    opt = build_optimizer(TwoRates(), OptimConfig(name="adam", lr=1e-3))
    assert [g["lr"] for g in opt.param_groups] == [1e-3, 1e-2]
    assert opt.defaults["fused"]
