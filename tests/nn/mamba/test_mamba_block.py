from graphkit.nn.mamba import mamba_block
from graphkit.nn.mamba.mamba_block import MambaBlock


def test_mamba_block_builds_its_cpu_kernels_with_the_model_not_in_the_first_forward(monkeypatch):
    calls = []
    monkeypatch.setattr(mamba_block, "cpu_scan_kernel", lambda: calls.append(1))
    MambaBlock(8, state_channels=4)
    assert calls == [1]
