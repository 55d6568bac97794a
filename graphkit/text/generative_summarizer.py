"""Summaries written by a local generative language model (``transformers``)."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import torch

from graphkit.errors import ConfigError
from graphkit.loader.subgraph_set import SubgraphSet
from graphkit.progress import Progress
from graphkit.text.template_summarizer import TemplateSummarizer

PROMPT = ("Below is a paper and papers related to it in a citation graph.\n{context}\n"
          "Summarize in two sentences the research topic they share:")


class GenerativeSummarizer:
    """Prompts a local causal or sequence-to-sequence LM with the template summary
    (GraphCLIP used an LLM for this step) and keeps its greedy continuation.

    Args:
        model_dir: a local Hugging Face model directory (nothing is downloaded).
        max_new_tokens: length of each summary (default 64).
        batch_size: prompts per generate call (default 8).
        prompt: template with ``{context}`` (default :data:`PROMPT`).
        device: torch device (default "cpu").
    """

    kind = "generative"

    def __init__(self, model_dir: str | Path, max_new_tokens: int = 64, batch_size: int = 8,
                 prompt: str = PROMPT, device: str = "cpu"):
        self.model_dir = Path(model_dir)
        self.max_new_tokens, self.batch_size = max_new_tokens, batch_size
        self.prompt, self.device = prompt, device

    def options(self) -> dict:
        return {"kind": self.kind, "model_dir": str(self.model_dir.resolve()),
                "max_new_tokens": self.max_new_tokens, "prompt": self.prompt}

    @torch.inference_mode()
    def __call__(self, texts: Sequence[str], subgraphs: SubgraphSet) -> list[str]:
        from transformers import AutoConfig, AutoModelForCausalLM, AutoModelForSeq2SeqLM, AutoTokenizer

        if not (self.model_dir / "config.json").is_file():
            raise ConfigError(f"summarizer model {self.model_dir} is not a local model directory")
        config = AutoConfig.from_pretrained(self.model_dir)
        seq2seq = bool(getattr(config, "is_encoder_decoder", False))
        loader = AutoModelForSeq2SeqLM if seq2seq else AutoModelForCausalLM
        tokenizer = AutoTokenizer.from_pretrained(self.model_dir)
        if tokenizer.pad_token is None:
            tokenizer.pad_token = tokenizer.eos_token
        tokenizer.padding_side = "left"  # decoder-only models continue from the right edge
        model = loader.from_pretrained(self.model_dir).to(self.device).eval()
        contexts = TemplateSummarizer()(texts, subgraphs)
        out: list[str] = []
        # a bar on a terminal, lines with counts and ETA in a log
        with Progress(total=len(contexts), desc="generated summaries", unit="summaries") as progress:
            for start in range(0, len(contexts), self.batch_size):
                prompts = [self.prompt.format(context=c) for c in contexts[start:start + self.batch_size]]
                tok = tokenizer(prompts, return_tensors="pt", padding=True, truncation=True,
                                max_length=512).to(self.device)
                gen = model.generate(**tok, max_new_tokens=self.max_new_tokens, do_sample=False,
                                     pad_token_id=tokenizer.pad_token_id)
                if not seq2seq:
                    gen = gen[:, tok["input_ids"].shape[1]:]
                out += [t.strip() for t in tokenizer.batch_decode(gen, skip_special_tokens=True)]
                progress.update(len(prompts))
        return out
