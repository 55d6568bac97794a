"""``graphkit.load_model(checkpoint)``: a ready model from a checkpoint file alone."""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from graphkit.runs.checkpoint_meta import CheckpointError, checkpoint_meta, model_from_meta, read_checkpoint


def load_model(checkpoint: str | Path, device: torch.device | str = "cpu") -> nn.Module:
    """Rebuilds the model saved in ``checkpoint`` (``best.pt``, ``last.pt`` or
    ``best-seed<S>-split<K>.pt`` of any run) from the config and data sizes stored beside
    its weights; no dataset is read. The model is in eval mode on ``device``.

    Args:
        checkpoint: path of the checkpoint file.
        device: where the weights go (default ``cpu``).
    """
    state = read_checkpoint(checkpoint, device)
    meta = checkpoint_meta(state, checkpoint)
    _, _, model = model_from_meta(meta, checkpoint)
    try:
        model.load_state_dict(state["model"])
    except RuntimeError as e:
        raise CheckpointError(f"{checkpoint}: weights do not fit the model they describe: "
                              f"{str(e).splitlines()[0]}") from None
    return model.to(device).eval()
