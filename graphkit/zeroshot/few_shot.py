"""Few-shot adaptation of a pretrained GraphCLIP model to a new text-attributed graph.

Three ways, compared at equal shots: graph prompt tuning aligned with the pretraining
objective (GraphCLIP, https://arxiv.org/abs/2410.10329: encoders frozen, a learnable
prompt added to the input node features (GPF-plus: node-dependent mix of learned vectors),
and by default a learned offset on each class-text embedding (:class:`LabelPrompt`), trained
with the contrastive loss between subgraph embeddings and class-text embeddings), a linear
probe on the frozen subgraph embeddings (scikit-learn logistic regression), and full
fine-tuning of the graph encoder with the same loss.
"""

from __future__ import annotations

import copy
import warnings
from typing import Callable, Optional, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.linear_model import LogisticRegression
from torch import Tensor, nn

from graphkit.errors import GraphkitWarning
from graphkit.loader.subgraph_set import SubgraphSet
from graphkit.zeroshot.graph_prompt import GraphPrompt
from graphkit.zeroshot.label_prompt import LabelPrompt


def sample_shots(y: Tensor, pool: Tensor, shots: int, seed: int) -> Tensor:
    """``shots`` nodes per class drawn from ``pool`` (fewer where a class has fewer)."""
    rng = np.random.default_rng(seed)
    out = []
    for c in torch.unique(y[pool]).tolist():
        members = pool[y[pool] == c].numpy()
        out.append(rng.choice(members, size=min(shots, members.size), replace=False))
    return torch.from_numpy(np.sort(np.concatenate(out))).long()


def warn_short_classes(y: Tensor, pool: Tensor, shots: Sequence[int], names: Sequence[str], dataset: str) -> None:
    """A :class:`GraphkitWarning` per shot count that some class of ``names`` cannot fill
    from ``pool`` (:func:`sample_shots` then takes all it has, so classes get different
    numbers of shots and a class without training nodes gets none)."""
    counts = torch.bincount(y[pool], minlength=len(names))
    for k in sorted(set(shots)):
        short = [c for c in range(len(names)) if int(counts[c]) < k]
        if short:
            listed = ", ".join(f"{names[c]!r} {int(counts[c])}" for c in short[:5])
            more = f" and {len(short) - 5} more" if len(short) > 5 else ""
            warnings.warn(f"--shots {k}: {len(short)} of {len(names)} classes of {dataset} have fewer than {k} "
                          f"training nodes ({listed}{more}); they get all they have", GraphkitWarning, stacklevel=2)


def _class_loss(model: nn.Module, batch, class_emb: Tensor, y: Tensor, prompt: nn.Module | None) -> Tensor:
    g = model(batch, prompt=prompt(batch.x) if prompt is not None else None)
    return F.cross_entropy(model.scale().detach() * g @ class_emb.t(), y)


def tune_prompt(model: nn.Module, x: Tensor, subgraphs: SubgraphSet, y: Tensor, class_emb: Tensor,
                epochs: int = 100, lr: float = 0.001, seed: int = 0, num_basis: int = 8,
                label_prompt: bool = True,
                on_epoch: Optional[Callable[[int, float], None]] = None) -> tuple[GraphPrompt, Tensor]:
    """A :class:`GraphPrompt` added to the input features of the frozen ``model`` and,
    with ``label_prompt``, a :class:`LabelPrompt` on ``class_emb``, trained together so
    that the subgraphs' embeddings match their classes' texts (CLIP-style loss over the
    class texts). Returns the prompt (eval mode) and the ``[C, d]`` class embeddings to
    score with (``class_emb`` itself without a label prompt); ``model`` is unchanged.
    ``on_epoch(epoch, loss)`` is called after every step."""
    torch.manual_seed(seed)
    model.eval()
    for p in model.parameters():
        p.requires_grad_(False)
    prompt = GraphPrompt(x.size(1), num_basis)
    labels = LabelPrompt(class_emb) if label_prompt else None
    params = list(prompt.parameters()) + (list(labels.parameters()) if labels is not None else [])
    opt = torch.optim.Adam(params, lr=lr)
    batch = subgraphs.batch(torch.arange(len(subgraphs)), x)
    for epoch in range(epochs):
        opt.zero_grad()
        loss = _class_loss(model, batch, labels() if labels is not None else class_emb, y, prompt)
        loss.backward()
        opt.step()
        if on_epoch is not None:
            on_epoch(epoch, float(loss.detach()))
    for p in model.parameters():
        p.requires_grad_(True)
    if labels is None:
        return prompt.eval(), class_emb
    with torch.no_grad():
        return prompt.eval(), labels()


def fine_tune(model: nn.Module, x: Tensor, subgraphs: SubgraphSet, y: Tensor, class_emb: Tensor,
              epochs: int = 100, lr: float = 1e-5, seed: int = 0,
              on_epoch: Optional[Callable[[int, float], None]] = None) -> nn.Module:
    """A copy of ``model`` with every weight trained on the same loss (the original is
    left as it was); ``on_epoch(epoch, loss)`` is called after every step."""
    torch.manual_seed(seed)
    tuned = copy.deepcopy(model).train()
    opt = torch.optim.Adam(tuned.parameters(), lr=lr)
    batch = subgraphs.batch(torch.arange(len(subgraphs)), x)
    for epoch in range(epochs):
        opt.zero_grad()
        loss = _class_loss(tuned, batch, class_emb, y, None)
        loss.backward()
        opt.step()
        if on_epoch is not None:
            on_epoch(epoch, float(loss.detach()))
    return tuned.eval()


def linear_probe(train_emb: Tensor, train_y: Tensor, test_emb: Tensor, seed: int = 0, c: float = 1.0) -> Tensor:
    """Predictions of a logistic regression (inverse L2 strength ``c``) fitted on frozen
    subgraph embeddings."""
    clf = LogisticRegression(C=c, max_iter=2000, random_state=seed)
    clf.fit(train_emb.numpy(), train_y.numpy())
    return torch.from_numpy(clf.predict(test_emb.numpy())).long()
