"""Text side of text-attributed graphs: a frozen sentence encoder with a disk cache, and
summarizers that turn a subgraph into a text (template, local generative LM, or JSONL)."""

from __future__ import annotations

from typing import Optional

from graphkit.errors import ConfigError
from graphkit.text.generative_summarizer import GenerativeSummarizer
from graphkit.text.jsonl_summaries import JsonlSummaries
from graphkit.text.template_summarizer import TemplateSummarizer, title_of
from graphkit.text.text_encoder import DEFAULT_MODEL, TextEncoder, resolve_model_dir

SUMMARIZERS = ("template", "generative", "jsonl")


def summarizer_resolver(kind: str, path: Optional[str] = None, **template_options):
    """``template`` (no path; ``template_options`` go to :class:`TemplateSummarizer`),
    ``generative`` (path = local LM directory) or ``jsonl`` (path = summaries file)."""
    if kind == "template":
        return TemplateSummarizer(**template_options)
    if kind in ("generative", "jsonl") and not path:
        raise ConfigError(f"summarizer {kind!r} needs a path (task.summarizer_path)")
    if kind == "generative":
        return GenerativeSummarizer(path)
    if kind == "jsonl":
        return JsonlSummaries(path)
    raise ConfigError(f"unknown summarizer {kind!r}; valid: {', '.join(SUMMARIZERS)}")


__all__ = ["DEFAULT_MODEL", "GenerativeSummarizer", "JsonlSummaries", "SUMMARIZERS", "TemplateSummarizer",
           "TextEncoder", "resolve_model_dir", "summarizer_resolver", "title_of"]
