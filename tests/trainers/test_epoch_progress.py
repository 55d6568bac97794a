import io

from graphkit.trainers.epoch_progress import EpochProgress


def test_epoch_progress_in_a_log_shows_a_long_epoch_moving_without_carriage_returns():
    log = io.StringIO()
    progress = EpochProgress(enabled=True, desc="seed 0 split 0", start_epoch=0, epochs=2, stream=log, every=0.0)
    for epoch in progress:
        for _ in progress.batches(range(3), epoch):
            pass
        progress.end_epoch({"epoch": epoch, "train_loss": 0.5})
    progress.close()
    lines = log.getvalue().splitlines()
    assert "\r" not in log.getvalue()
    assert lines[0].startswith("seed 0 split 0 epoch 1/2: 1/3 batches (33%), ") and "ETA" in lines[0]
    assert lines[1].startswith("seed 0 split 0 epoch 1/2: 2/3 batches (67%), ")
    assert lines[2].startswith("seed 0 split 0 epoch 1/2: train_loss 0.5 (")
    assert len(lines) == 6


def test_epoch_progress_disabled_writes_nothing():
    log = io.StringIO()
    progress = EpochProgress(enabled=False, desc="x", start_epoch=0, epochs=1, stream=log, every=0.0)
    for epoch in progress:
        for _ in progress.batches(range(3), epoch):
            pass
        progress.end_epoch({"epoch": epoch, "train_loss": 0.5})
    assert log.getvalue() == ""
