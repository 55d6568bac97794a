"""Node classification on large graphs: neighbor-sampled mini-batches, chunked inference."""

from __future__ import annotations

from typing import Any, Iterator, Optional, Sequence

import torch
from torch import Tensor, nn
from torch_geometric.data import Data

from graphkit.datasets.loaded_dataset import NODE_MULTILABEL, LoadedDataset
from graphkit.loader.csr_neighbor_sampler import CSRNeighborSampler
from graphkit.models.model_hooks import LayerwiseInference
from graphkit.tasks import metrics as M
from graphkit.tasks.node_task import node_loss, node_metric_names


def pyg_sampler_available() -> bool:
    """PyG's NeighborLoader needs pyg-lib or torch-sparse (neither is on PyPI for CPU)."""
    import torch_geometric.typing as tg

    return bool(tg.WITH_PYG_LIB or tg.WITH_TORCH_SPARSE)


class SampledNodeTask:
    """GraphSAGE-style training: each step samples ``num_neighbors`` per layer around
    ``batch_size`` seed nodes and computes the loss on the seeds; evaluation runs the
    model over the full graph layer by layer (``model.inference``) when it can.

    Uses PyG's ``NeighborLoader`` when pyg-lib or torch-sparse is installed, else the
    built-in :class:`CSRNeighborSampler`; both yield the same batch layout. The data
    stays on the CPU; batches move to ``device``.

    Args:
        dataset: a node-level :class:`LoadedDataset`.
        split_index: which of ``dataset.splits`` to use.
        device: where batches and the model live.
        num_neighbors: fan-out per layer.
        batch_size: seed nodes per batch.
        seed: seeds each epoch's order and sampling (with the epoch).
        metric: primary metric (default: the dataset's).
        eval_chunk_size: target nodes per chunk in layer-wise inference.
        backend: ``auto``, ``pyg`` or ``csr``.
    """

    def __init__(
        self,
        dataset: LoadedDataset,
        *,
        split_index: int,
        device: torch.device,
        num_neighbors: Sequence[int],
        batch_size: int = 1024,
        seed: int = 0,
        metric: Optional[str] = None,
        eval_chunk_size: int = 65536,
        backend: str = "auto",
    ) -> None:
        self.data = dataset.data
        self.multilabel = dataset.task == NODE_MULTILABEL
        self.index = dataset.splits[split_index]
        self.device, self.batch_size, self.seed = device, batch_size, seed
        self.num_neighbors = list(num_neighbors)
        self.eval_chunk_size = eval_chunk_size
        self.out_channels = dataset.num_classes
        self.metric = metric or dataset.metric
        self.higher_is_better = M.metric_direction(self.metric)
        self.metric_names = node_metric_names(self.multilabel, dataset.num_classes, self.metric)
        self.use_pyg = backend == "pyg" or (backend == "auto" and pyg_sampler_available())
        if not self.use_pyg:
            self.sampler = CSRNeighborSampler(self.data.edge_index, self.data.num_nodes, self.num_neighbors)

    def train_batches(self, epoch: int) -> Iterator[Data]:
        generator = torch.Generator().manual_seed(self.seed * 1_000_003 + epoch)
        if self.use_pyg:
            from torch_geometric.loader import NeighborLoader

            batches: Any = NeighborLoader(self.data, num_neighbors=self.num_neighbors,
                                          input_nodes=self.index["train"], batch_size=self.batch_size,
                                          shuffle=True, generator=generator)
        else:
            batches = self.sampler.loader(self.data, self.index["train"], self.batch_size,
                                          shuffle=True, generator=generator)
        for batch in batches:
            yield batch.to(self.device)

    def training_step(self, model: nn.Module, batch: Data) -> Tensor:
        seeds = batch.batch_size  # seeds come first
        return node_loss(model(batch)[:seeds], batch.y[:seeds], self.multilabel)

    def eval_batches(self, split: str) -> Iterator[Tensor]:
        yield self.index[split]

    def eval_step(self, model: nn.Module, batch: Tensor) -> tuple[Tensor, Tensor]:
        inner = getattr(model, "module", model)  # DistributedDataParallel wraps the model
        data = self.data.to(self.device)
        if isinstance(inner, LayerwiseInference):
            out = inner.inference(data, chunk_size=self.eval_chunk_size)
        else:
            out = inner(data)
        return out[batch.to(out.device)].cpu(), self.data.y[batch].cpu()

    def metrics(self, pred: Tensor, target: Tensor) -> dict[str, float]:
        return M.compute(self.metric_names, pred, target)
