"""The ``mixed`` summarizer of benchmarks/graphclip_variants.py, as a plugin
(``graphkit pretrain --plugin benchmarks/mixed_summaries.py ... task.summarizer=template+jsonl``):
half of the pretraining pairs get the template summary, half the JSONL file's summary of their
centre (``task.summarizer_path``; e.g. TAPE's GPT-3.5 explanations written by
benchmarks/cora_gpt_summaries.py): centres with an odd node id take the file's, even ones the
template's, so which pair gets which does not depend on the sampler.
"""

from __future__ import annotations

from typing import Optional, Sequence

from graphkit.loader.subgraph_set import SubgraphSet
from graphkit.plugins import register_summarizer
from graphkit.text import JsonlSummaries, TemplateSummarizer


class MixedSummaries:
    """Template summaries for even centres, the JSONL file's for odd ones."""

    kind = "template+jsonl"

    def __init__(self, path: str, **template_options):
        self.jsonl = JsonlSummaries(path)
        self.template = TemplateSummarizer(**template_options)

    def options(self) -> dict:
        return {"kind": self.kind, "jsonl": self.jsonl.options(), "template": self.template.options()}

    def __call__(self, texts: Sequence[str], subgraphs: SubgraphSet) -> list[str]:
        template, written = self.template(texts, subgraphs), self.jsonl(texts, subgraphs)
        return [written[i] if int(c) % 2 else template[i] for i, c in enumerate(subgraphs.centres.tolist())]


@register_summarizer("template+jsonl")
def mixed_summarizer(path: Optional[str] = None, **template_options) -> MixedSummaries:
    return MixedSummaries(path, **template_options)
