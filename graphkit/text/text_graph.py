"""A text-attributed graph ready for a text-space graph model: the dataset, node
features = text embeddings of the node texts, and one text per class."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from torch import Tensor

from graphkit.config import DataConfig
from graphkit.datasets import DATASETS, load_dataset, load_tag_directory
from graphkit.datasets.loaded_dataset import LoadedDataset
from graphkit.errors import ConfigError, DatasetError
from graphkit.text.class_descriptions import CLASS_TEXTS, class_descriptions
from graphkit.text.text_encoder import TextEncoder

DEFAULT_TEMPLATE = "this paper has a topic on {c}"
# per-dataset label templates; unknown datasets (TAG directories) use DEFAULT_TEMPLATE
TEMPLATES = {"tag:cora": DEFAULT_TEMPLATE, "tag:arxiv_2023": DEFAULT_TEMPLATE, "tag:dblp": DEFAULT_TEMPLATE,
             **{f"tag:{g}": "this is the web page of a {c}" for g in ("cornell", "texas", "washington", "wisconsin")}}


def label_texts(names: list[str], descriptions: Optional[list[str]] = None,
                template: str = DEFAULT_TEMPLATE, class_texts: str = "both") -> list[str]:
    """One text per class. ``class_texts``: ``names`` is ``template`` filled with the class
    name (underscores as spaces), ``descriptions`` the class description alone, ``both``
    (default) the name followed by the description when there is one:
    ``"this paper has a topic on cs.LG. machine learning"``."""
    if class_texts not in CLASS_TEXTS:
        raise ConfigError(f"class_texts {class_texts!r}: expected one of {', '.join(CLASS_TEXTS)}")
    if "{c}" not in template:
        raise DatasetError(f"label template {template!r} has no {{c}} placeholder")
    if class_texts == "descriptions" and not (descriptions and all(d.strip() for d in descriptions)):
        raise DatasetError("class_texts 'descriptions' needs a description for every class; this dataset has "
                           "none: give a file (class_descriptions / --class-descriptions)")
    out = []
    for k, name in enumerate(names):
        text = template.format(c=name.replace("_", " ").strip())
        if class_texts == "descriptions":
            text = descriptions[k].strip()
        elif class_texts == "both" and descriptions and descriptions[k]:
            text = f"{text}. {descriptions[k]}"
        out.append(text)
    return out


def load_tag(name_or_dir: str, root: Optional[str] = None) -> LoadedDataset:
    """A registered TAG (``tag:cora``) or a TAG directory (layout in
    :mod:`graphkit.datasets.tag`)."""

    if Path(name_or_dir).expanduser().is_dir():
        dataset = load_tag_directory(Path(name_or_dir).expanduser())
    elif name_or_dir in DATASETS:
        dataset = load_dataset(DataConfig(name=name_or_dir, root=root))
    else:
        raise DatasetError(f"{name_or_dir!r} is neither a registered dataset nor a TAG directory; "
                           f"registered TAGs: {', '.join(n for n in DATASETS.names() if n.startswith('tag:'))}")
    if "raw_texts" not in dataset.extra:
        raise DatasetError(f"{dataset.name} has no node texts: not a text-attributed graph")
    return dataset


@dataclass
class TextGraph:
    """``x[i]`` is the text embedding of node ``i``; ``class_texts[c]`` the text of class ``c``."""

    dataset: LoadedDataset
    x: Tensor  # [N, text_dim]
    class_texts: list[str]

    @property
    def name(self) -> str:
        return self.dataset.name

    @property
    def texts(self) -> list[str]:
        return self.dataset.extra["raw_texts"]

    @property
    def edge_index(self) -> Tensor:
        return self.dataset.data.edge_index

    @property
    def y(self) -> Tensor:
        return self.dataset.data.y

    @property
    def num_nodes(self) -> int:
        return int(self.dataset.data.num_nodes)

    @classmethod
    def load(cls, name_or_dir: str, encoder: TextEncoder, template: Optional[str] = None,
             root: Optional[str] = None, class_texts: Optional[str] = None,
             descriptions_file: Optional[str] = None) -> "TextGraph":
        """``class_texts`` (:func:`label_texts`): None (default) is ``both`` with the
        dataset's own descriptions only (names alone when it has none); ``descriptions`` and
        ``both`` take ``descriptions_file``, else the dataset's own, else the published file
        of a registered TAG (:func:`graphkit.text.class_descriptions.class_descriptions`)."""
        dataset = load_tag(name_or_dir, root)
        names = dataset.extra["label_names"]
        descriptions = dataset.extra.get("label_descriptions")
        if class_texts in ("descriptions", "both") or descriptions_file:
            descriptions = class_descriptions(dataset.name, names, descriptions, descriptions_file, root)
        template = template or TEMPLATES.get(dataset.name, DEFAULT_TEMPLATE)
        texts = label_texts(names, descriptions if class_texts != "names" else None, template,
                            class_texts or "both")
        x = encoder.encode(dataset.extra["raw_texts"], desc=f"{dataset.name} node texts")
        return cls(dataset=dataset, x=x, class_texts=texts)

    def class_embeddings(self, encoder: TextEncoder) -> Tensor:
        """``[C, text_dim]`` unit-norm embeddings of the class texts."""
        return encoder.encode(self.class_texts, desc="label texts")
