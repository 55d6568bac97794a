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


def test_plot_node_compactness_overlays_runs_with_their_negative_share(tmp_path):
    from graphkit.cli.main import main
    from graphkit.cli.plot import plot_node_compactness

    grace, pot = tmp_path / "grace", tmp_path / "pot"
    for run_dir, values in ((grace, [-1.0, -0.5, 0.5, 1.0]), (pot, [-0.2, 0.3, 0.6, 1.1])):
        run_dir.mkdir()
        np.save(run_dir / "node_compactness-seed0-split0.npy", np.array(values).reshape(2, 2))
        (run_dir / "metrics.jsonl").write_text(json.dumps({"seed": 0, "split": 0, "epoch": 0, "train_loss": 1.0}) + "\n")
    assert plot_node_compactness([tmp_path / "none"], tmp_path / "plots") == []
    assert main(["plot", str(pot), "--compare", str(grace), "--out", str(tmp_path / "plots")]) == 0
    assert (tmp_path / "plots" / "node_compactness.png").is_file()
    import matplotlib.pyplot as plt

    captured = {}
    real = plt.Axes.legend

    def keep(self, *args, **kwargs):
        captured["labels"] = [t for t in self.get_legend_handles_labels()[1]]
        return real(self, *args, **kwargs)

    plt.Axes.legend = keep
    try:
        plot_node_compactness([pot, grace], tmp_path / "again")
    finally:
        plt.Axes.legend = real
    assert [label.rsplit(": ", 1)[1] for label in captured["labels"]] == ["25.0% < 0", "50.0% < 0"]
