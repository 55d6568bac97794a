"""Typed ``task:`` section of a GraphCLIP pretraining config."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Optional

from graphkit.config.run_config import TaskConfig
from graphkit.text.text_encoder import DEFAULT_MODEL


@dataclass(frozen=True)
class GraphCLIPTaskConfig(TaskConfig):
    """``task.name: graphclip``.

    Args:
        text_model: frozen text encoder: ``all-MiniLM-L6-v2`` (packaged) or a local
            Hugging Face model directory.
        text_batch_size: texts per encoder forward pass.
        text_max_length: tokens kept of each text by the text encoder (default 256,
            MiniLM's training length; >= 8). Encoding time grows with it;
            ``configs/graphclip/quick.yaml`` keeps 48 (a title and the start of an
            abstract). ``zeroshot`` and ``fewshot`` use the run's.
        subgraph: ``rwr`` (random walk with restart) or ``khop``.
        num_hops: hops of ``khop`` subgraphs.
        max_nodes: node cap per subgraph, centre included (>= 1).
        max_edges: undirected edge cap per subgraph.
        walks, walk_length, restart_prob: ``rwr`` walks from the centre.
        rwse_steps: random-walk PE steps within each subgraph (0 = none).
        summarizer: ``template`` (built-in, deterministic), ``generative`` (a local LM at
            ``summarizer_path``) or ``jsonl`` (summaries file at ``summarizer_path``).
        summary_center_chars, summary_neighbors: ``template`` summaries: characters kept
            of the centre's text (default 400) and neighbour titles listed (default 5).
        summary_prompt, summary_max_new_tokens, summary_batch_size: ``generative``
            summaries: the prompt with ``{context}`` (the template summary; default
            :data:`graphkit.text.generative_summarizer.PROMPT`), tokens generated per summary
            (default 64) and prompts per batch (default 8).
        max_centres: training centres per source (0 = every node not held out); bounds
            the summary-encoding cost on CPUs.
        heldout: nodes per source held out for validation, and as many for test.
        steps_per_epoch: optimizer steps per epoch (0 = one pass over the largest source).
        feature_mask: probability of masking each feature column per step.
        edge_drop: probability of dropping each edge per step.
        center_drop: probability of zeroing a subgraph's centre features per step (default
            0). Each template summary contains its centre's text, so without it a pair
            can be matched from the centre alone; with it the encoder must also read the
            neighbourhood. 0.5 lifts arXiv held-out zero-shot, not Cora's (README).
        flag_steps: FLAG adversarial ascent steps (0 = off).
        flag_step_size: FLAG step size (also the initial perturbation range).
        label_weight: weight of an extra CLIP loss between subgraphs and their source's
            class texts (0 = GraphCLIP's label-free graph–summary objective). Uses the
            sources' labels only; zero-shot targets stay unseen. 1.0 on arXiv-2023 lowers
            Cora zero-shot (README).
    """

    name: Optional[str] = "graphclip"
    metric: Optional[str] = "zeroshot_accuracy"
    text_model: str = DEFAULT_MODEL
    text_batch_size: int = 64
    text_max_length: int = 256
    subgraph: Literal["rwr", "khop"] = "rwr"
    num_hops: int = 2
    max_nodes: int = 16
    max_edges: int = 48
    walks: int = 8
    walk_length: int = 8
    restart_prob: float = 0.3
    rwse_steps: int = 8
    summarizer: str = "template"  # a registered summarizer (graphkit.text.SUMMARIZERS)
    summarizer_path: Optional[str] = None
    summary_center_chars: int = 400
    summary_neighbors: int = 5
    summary_prompt: Optional[str] = None
    summary_max_new_tokens: int = 64
    summary_batch_size: int = 8
    max_centres: int = 0
    heldout: int = 500
    steps_per_epoch: int = 0
    feature_mask: float = 0.1
    edge_drop: float = 0.1
    center_drop: float = 0.0
    flag_steps: int = 3
    flag_step_size: float = 1e-3
    label_weight: float = 0.0

    def __post_init__(self) -> None:
        if self.max_nodes < 1 or self.max_edges < 0 or self.num_hops < 0 or self.rwse_steps < 0:
            raise ValueError("task.max_nodes >= 1, max_edges, num_hops, rwse_steps >= 0 required")
        if self.text_batch_size < 1 or self.text_max_length < 8:
            raise ValueError("task.text_batch_size >= 1 and task.text_max_length >= 8 required")
        if self.summary_center_chars < 1 or self.summary_neighbors < 0:
            raise ValueError("task.summary_center_chars >= 1 and task.summary_neighbors >= 0 required")
        if self.label_weight < 0:
            raise ValueError("task.label_weight must be >= 0")
        if self.max_centres < 0 or self.heldout < 0 or self.steps_per_epoch < 0 or self.flag_steps < 0:
            raise ValueError("task.max_centres, heldout, steps_per_epoch and flag_steps must be >= 0")
        for name in ("feature_mask", "edge_drop", "center_drop", "restart_prob"):
            if not 0.0 <= getattr(self, name) < 1.0:
                raise ValueError(f"task.{name} must be in [0, 1)")
        if self.summary_prompt is not None and "{context}" not in self.summary_prompt:
            raise ValueError("task.summary_prompt needs a {context} placeholder (the subgraph's template summary)")
        if self.summary_max_new_tokens < 1 or self.summary_batch_size < 1:
            raise ValueError("task.summary_max_new_tokens >= 1 and task.summary_batch_size >= 1 required")
        if self.summarizer != "template" and not self.summarizer_path:
            raise ValueError(f"task.summarizer {self.summarizer!r} needs task.summarizer_path")

    def summarizer_options(self) -> dict:
        """Keyword options of the summarizer factory: the template's, and for
        ``generative`` the generation settings."""
        options = dict(max_center_chars=self.summary_center_chars, max_neighbors=self.summary_neighbors)
        if self.summarizer == "generative":
            options.update(max_new_tokens=self.summary_max_new_tokens, batch_size=self.summary_batch_size,
                           **({"prompt": self.summary_prompt} if self.summary_prompt else {}))
        return options

    def sampler_options(self) -> dict:
        """Keyword arguments of :class:`~graphkit.loader.subgraph_sampler.SubgraphSampler`."""
        return dict(method=self.subgraph, num_hops=self.num_hops, max_nodes=self.max_nodes,
                    max_edges=self.max_edges, walks=self.walks, walk_length=self.walk_length,
                    restart_prob=self.restart_prob, rwse_steps=self.rwse_steps)
