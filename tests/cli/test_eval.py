"""``graphkit eval`` (and the commands that read checkpoints) on checkpoints that are not
the run's own: one line naming the file, never torch's traceback or its advice."""

from pathlib import Path

import pytest
import torch

from graphkit.cli.main import main
from tests.pickle_payloads import TouchPayload as _Payload

REPO = Path(__file__).resolve().parents[2]
FAST = ["tracking.wandb.mode=disabled", "--quiet", "--threads", "1", "trainer.epochs=1"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory, mirror):
    root = tmp_path_factory.mktemp("runs")
    for name, config in [("cora", "gcn/cora.yaml"), ("citeseer", "gcn/citeseer.yaml"),
                         ("mutag", "gps/mutag.yaml")]:
        extra = ["data.splits=[0]", "model.num_layers=1"] if name == "mutag" else []
        assert main(["train", str(REPO / "configs" / config), "--run-dir", str(root / name), *FAST, *extra]) == 0
    return root


def _err(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "\x1b" not in err and "Traceback" not in err, err
    return err


def test_eval_checkpoint_of_another_run_is_refused(runs, capsys):
    cora = runs / "cora"
    assert main(["eval", str(cora), "--checkpoint", str(runs / "mutag/checkpoints/best.pt")]) == 2
    assert "does not belong to run" in _err(capsys)  # another model
    assert main(["eval", str(cora), "--checkpoint", str(runs / "citeseer/checkpoints/best.pt")]) == 2
    err = _err(capsys)  # the same model, trained for another dataset
    assert "does not belong to run" in err and "num_features 3703 vs 1433" in err
    assert main(["eval", str(cora), "--checkpoint", str(cora / "checkpoints/best.pt")]) == 0


@pytest.mark.parametrize("command", ["eval", "sparsify"])
def test_checkpoint_with_pickled_code_is_refused_in_graphkits_words(runs, tmp_path, capsys, command):
    marker = tmp_path / "pwned"
    bad = tmp_path / "best.pt"
    torch.save({"model": _Payload(marker)}, bad)
    args = [command, str(runs / "mutag"), "--checkpoint", str(bad)]
    if command == "sparsify":
        args += ["--out", str(tmp_path / "out"), "tracking.wandb.mode=disabled"]
    assert main(args) == 2
    err = _err(capsys)
    assert f"checkpoint {bad} holds pickled objects other than tensors" in err
    assert "weights_only" not in err and not marker.exists() and not (tmp_path / "out").exists()
