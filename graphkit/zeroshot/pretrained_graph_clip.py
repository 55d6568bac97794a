"""A pretrained GraphCLIP model with the settings its inputs need (text model, subgraphs)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import torch
from torch import nn

from graphkit.errors import ConfigError
from graphkit.loader.subgraph_sampler import SubgraphSampler
from graphkit.models.graph_clip import GraphCLIP
from graphkit.pretrain.graph_clip_task_config import GraphCLIPTaskConfig
from graphkit.runs import load_model, read_run_config, select_checkpoint
from graphkit.text.text_encoder import TextEncoder


@dataclass
class PretrainedGraphCLIP:
    """``model`` (eval mode) and the pretraining ``task`` settings it was trained with;
    ``sources`` are the pretraining graphs, ``run_dir`` the run (None for a bare file)."""

    model: nn.Module
    task: GraphCLIPTaskConfig
    checkpoint: Path
    run_dir: Optional[Path]
    sources: tuple[str, ...]

    def sampler(self) -> SubgraphSampler:
        return SubgraphSampler(**self.task.sampler_options())

    def text_encoder(self, progress: bool = True) -> TextEncoder:
        return TextEncoder(self.task.text_model, batch_size=self.task.text_batch_size,
                           max_length=self.task.text_max_length, progress=progress)

    @classmethod
    def load(cls, run_or_checkpoint: str | Path, which: str = "best",
             device: torch.device | str = "cpu") -> "PretrainedGraphCLIP":
        """From a ``graphkit pretrain`` run directory (``which``: ``best`` or ``last``) or a
        checkpoint file; the model comes from :func:`graphkit.load_model`, the settings from
        the run's config (a checkpoint outside a run directory gets the default settings)."""
        path = Path(run_or_checkpoint)
        run_dir: Optional[Path] = None
        if path.is_dir():
            run_dir = path
            rd, cfg = read_run_config(path)
            checkpoint = select_checkpoint(rd, which, cfg.seeds[0], cfg.data.splits[0])
            if not checkpoint.is_file():
                raise ConfigError(f"no checkpoint {checkpoint}")
        elif path.is_file():
            checkpoint = path
            owner = path.parent.parent if path.parent.name == "checkpoints" else None
            if owner is not None and (owner / "config.yaml").is_file():
                run_dir = owner
                _, cfg = read_run_config(owner)
            else:
                cfg = None
        else:
            raise ConfigError(f"{path} is neither a run directory nor a checkpoint file")
        if cfg is not None and not isinstance(cfg.task, GraphCLIPTaskConfig):
            raise ConfigError(f"{run_dir} is a {cfg.task.name!r} run, not a graphclip pretraining run")
        model = load_model(checkpoint, device)
        if not isinstance(model, GraphCLIP):
            raise ConfigError(f"{checkpoint} holds a {type(model).__name__}, not a GraphCLIP model")
        task = cfg.task if cfg is not None else GraphCLIPTaskConfig()
        sources = (cfg.data.sources or (cfg.data.name,)) if cfg is not None else ()
        return cls(model=model, task=task, checkpoint=checkpoint, run_dir=run_dir, sources=tuple(sources))
