"""Every YAML under configs/ must load and validate against the typed schema."""

from pathlib import Path

import pytest

from graphkit.config import RunConfig, from_dict, load_yaml
from graphkit.datasets import DATASET_FAMILIES, DATASETS
from graphkit.embed.embed_evaluate_config import EmbedEvaluateConfig
from graphkit.embed.fast_rp_run_config import FastRPRunConfig
from graphkit.embed.fast_rp_tune_config import FastRPTuneConfig
from graphkit.linkpred.heuristics_config import HeuristicsConfig
from graphkit.sparsify.sparsify_config import SparsifyRunConfig
from graphkit.zeroshot.few_shot_config import FewShotConfig
from graphkit.zeroshot.zero_shot_config import ZeroShotConfig

# the recipe each command reads, and what its command line gives beside the file
RECIPES = {
    "zeroshot": (ZeroShotConfig, {"pretrained": "RUN_DIR"}),
    "fewshot": (FewShotConfig, {"pretrained": "RUN_DIR"}),
    "lp heuristics": (HeuristicsConfig, {}),
    "embed fastrp": (FastRPRunConfig, {}),
    "embed evaluate": (EmbedEvaluateConfig, {"embedding": "blog.npy"}),
    "embed tune": (FastRPTuneConfig, {}),
    "sparsify": (SparsifyRunConfig, {}),
}
CONFIGS = sorted((Path(__file__).resolve().parents[1] / "configs").rglob("*.yaml"))


def test_configs_directory_is_not_empty():
    assert len(CONFIGS) >= 5


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_config_loads_and_names_a_registered_dataset(path):
    text = path.read_text()
    assert text.startswith("# graphkit "), f"{path} must start with the command that runs it"
    data = load_yaml(path)
    command = text.split()[2:4]  # "# graphkit <command> [<sub-command>]"
    if command[0] == "sweep":  # a search space over the base config its command names
        from graphkit.sweep.search_space import SearchSpace

        # --from-run: the base is a sparsify config, each trial sparsifying that trained run
        cls = SparsifyRunConfig if "--from-run" in text.splitlines()[0] else RunConfig
        base = from_dict(cls, load_yaml(path.parents[1].parent / command[1]))
        assert SearchSpace.from_yaml(path, base).keys
        return
    recipe = RECIPES.get(" ".join(command)) or RECIPES.get(command[0])
    if recipe is not None:  # a recipe's config (zeroshot, embed, ...) is typed by its own class
        cls, given = recipe
        cfg = from_dict(cls, {**given, **data})
        name = getattr(cfg, "dataset", None)
        assert name is None or name in DATASETS
        return
    cfg = from_dict(RunConfig, data)
    # a curated name, or a member of a registered family (tu:DD: fetched where reachable)
    assert cfg.data.name in DATASETS or cfg.data.name.split(":", 1)[0] in DATASET_FAMILIES
