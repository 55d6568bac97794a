import subprocess

import pytest
import torch

from graphkit.errors import TrainingError
from graphkit.trainers import checkpoint as ckpt


class _Touch:
    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return subprocess.call, (["touch", self.marker],)


def _good(path):
    ckpt.save_atomic({"model": {"w": torch.ones(3)}, "epoch": 4}, path)
    return path


def test_load_round_trips_plain_state(tmp_path):
    state = ckpt.load(_good(tmp_path / "last.pt"))
    assert state["epoch"] == 4 and torch.equal(state["model"]["w"], torch.ones(3))


def test_load_refuses_pickle_payload_with_one_line_error(tmp_path):
    path = tmp_path / "last.pt"
    marker = tmp_path / "MARKER"
    torch.save({"model": _Touch(marker)}, path)
    with pytest.raises(TrainingError, match=r"last\.pt holds pickled objects .* refusing") as info:
        ckpt.load(path)
    assert not marker.exists()
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("damage,word", [
    (lambda b: b"", "empty"),
    (lambda b: b[: len(b) // 2], "corrupt or truncated"),
    (lambda b: b[:100], "corrupt or truncated"),
    (lambda b: bytes(x ^ 0x5A for x in b), "corrupt or truncated"),
])
def test_load_damaged_checkpoint_names_file_and_remedy(tmp_path, damage, word):
    path = _good(tmp_path / "best.pt")
    path.write_bytes(damage(path.read_bytes()))
    with pytest.raises(TrainingError, match=rf"checkpoint .*best\.pt is {word}.*; start over") as info:
        ckpt.load(path, remedy="start over")
    assert "\n" not in str(info.value)


def test_load_missing_checkpoint_is_training_error(tmp_path):
    with pytest.raises(TrainingError, match="does not exist"):
        ckpt.load(tmp_path / "nope.pt")
