import json

import numpy as np

from graphkit.cli.plot import plot_run


def _dark_lines(gray: np.ndarray, axis: int) -> np.ndarray:
    """Indices of image rows (axis=1) or columns (axis=0) that are mostly black: the axes spines."""
    return np.flatnonzero((gray < 0.2).mean(axis=axis) > 0.5)


def test_plot_run_one_epoch_draws_a_visible_point(tmp_path):
    import matplotlib.image

    row = {"seed": 0, "split": 0, "epoch": 0, "train_loss": 1.2, "lr": 0.01, "val_accuracy": 0.5, "seconds": 1.0}
    (tmp_path / "metrics.jsonl").write_text(json.dumps(row) + "\n")
    paths = plot_run(tmp_path, tmp_path / "plots")
    assert sorted(p.name for p in paths) == ["lr.png", "train_loss.png", "val_accuracy.png"]
    image = matplotlib.image.imread(tmp_path / "plots" / "val_accuracy.png")[..., :3]
    cols, rows = _dark_lines(image.mean(axis=2), 0), _dark_lines(image.mean(axis=2), 1)
    # the single point sits at the centre of the axes box (autoscaled limits around it)
    cy, cx = (rows.min() + rows.max()) // 2, (cols.min() + cols.max()) // 2
    window = image[cy - 15: cy + 16, cx - 15: cx + 16]
    blue = np.abs(window - np.array([0x1F, 0x77, 0xB4]) / 255).max(axis=2) < 0.1
    assert blue.sum() >= 5


def test_plot_run_counts_epochs_from_1_as_the_log_does(tmp_path, monkeypatch):
    import matplotlib.axes

    rows = [{"seed": 0, "split": 0, "epoch": e, "train_loss": 1.0 / (e + 1), "seconds": 1.0} for e in range(3)]
    (tmp_path / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    drawn = []
    real_plot = matplotlib.axes.Axes.plot

    def recording_plot(self, x, y, *args, **kwargs):
        drawn.append(list(x))
        return real_plot(self, x, y, *args, **kwargs)

    monkeypatch.setattr(matplotlib.axes.Axes, "plot", recording_plot)
    plot_run(tmp_path, tmp_path / "plots")
    assert drawn == [[1, 2, 3]]  # the log's "epoch 1/3" .. "epoch 3/3"
