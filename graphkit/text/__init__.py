"""Text side of text-attributed graphs: a frozen sentence encoder with a disk cache, and
summarizers that turn a subgraph into a text (template, local generative LM, JSONL, or a
plugin's own: :func:`graphkit.plugins.register_summarizer`).

:data:`SUMMARIZERS` is a plain table (name -> factory ``(path, **template_options)``),
filled by :mod:`graphkit.catalog`.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from graphkit.errors import ConfigError
from graphkit.registry import Registry
from graphkit.text.generative_summarizer import GenerativeSummarizer
from graphkit.text.jsonl_summaries import JsonlSummaries
from graphkit.text.template_summarizer import TemplateSummarizer, title_of
from graphkit.text.text_encoder import DEFAULT_MODEL, TextEncoder, resolve_model_dir

# factory(path, **template_options) -> summarizer (called with the subgraph texts)
SummarizerFactory = Callable[..., Any]
SUMMARIZERS: Registry[SummarizerFactory] = Registry("summarizer")


def summarizer_resolver(kind: str, path: Optional[str] = None, **template_options):
    """A registered summarizer by name: built-ins are ``template`` (no path;
    ``template_options`` go to :class:`TemplateSummarizer`), ``generative`` (path = local LM
    directory) and ``jsonl`` (path = summaries file)."""
    try:
        factory = SUMMARIZERS.get(kind)
    except KeyError as e:
        raise ConfigError(f"task.summarizer: {e}") from None
    return factory(path, **template_options)


def template_summarizer(path: Optional[str] = None, **template_options) -> TemplateSummarizer:
    return TemplateSummarizer(**template_options)


def generative_summarizer(path: Optional[str] = None, max_new_tokens: int = 64, batch_size: int = 8,
                          prompt: Optional[str] = None, **template_options) -> GenerativeSummarizer:
    """``path``: a local model directory or GGUF file; the generation settings come from
    ``task.summary_*``."""
    if not path:
        raise ConfigError("summarizer 'generative' needs a path (task.summarizer_path): a local model "
                          "directory or a .gguf file")
    return GenerativeSummarizer(path, max_new_tokens=max_new_tokens, batch_size=batch_size,
                                **({"prompt": prompt} if prompt else {}))


def jsonl_summarizer(path: Optional[str] = None, **template_options) -> JsonlSummaries:
    if not path:
        raise ConfigError("summarizer 'jsonl' needs a path (task.summarizer_path)")
    return JsonlSummaries(path)


__all__ = ["DEFAULT_MODEL", "GenerativeSummarizer", "JsonlSummaries", "SUMMARIZERS", "TemplateSummarizer",
           "TextEncoder", "generative_summarizer", "jsonl_summarizer", "resolve_model_dir", "summarizer_resolver",
           "template_summarizer", "title_of"]
