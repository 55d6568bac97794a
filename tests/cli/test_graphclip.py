"""pretrain -> zeroshot -> fewshot on slices of the mirror's text-attributed graphs."""

import importlib.util
import json
from pathlib import Path

import pytest
import torch
import yaml

from graphkit.cli.main import main

_spec = importlib.util.spec_from_file_location("tiny_tag", Path(__file__).parents[1] / "text" / "tiny_tag.py")
tiny_tag = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tiny_tag)

CONFIG = "configs/graphclip/arxiv_2023.yaml"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def slices(tmp_path_factory, mirror):
    from graphkit.config import DataConfig
    from graphkit.datasets import load_dataset

    root = tmp_path_factory.mktemp("tag-slices")
    arxiv = tiny_tag.write_tag_slice(load_dataset(DataConfig(name="tag:arxiv_2023")), 240, root / "arxiv_slice")
    cora = tiny_tag.write_tag_slice(load_dataset(DataConfig(name="tag:cora")), 160, root / "cora_slice")
    return arxiv, cora


def _pretrain_argv(source: Path, run_dir: Path, epochs: int) -> list[str]:
    return ["pretrain", str(REPO / CONFIG), "--threads", "1", "--quiet", "--run-dir", str(run_dir),
            "data.name='tag:cora'", f"data.sources=[{str(source)!r}]", "data.batch_size=32", f"trainer.epochs={epochs}",
            "task.heldout=20", "task.steps_per_epoch=3", "model.hidden_channels=32", "model.num_layers=1",
            "task.flag_steps=2", "tracking.wandb.mode='disabled'"]


@pytest.mark.slow
def test_pretrain_zeroshot_fewshot_on_mirror_slices(slices, tmp_path, capsys):
    arxiv, cora = slices
    run_dir = tmp_path / "run"
    assert main(_pretrain_argv(arxiv, run_dir, 1)) == 0
    results = json.loads((run_dir / "results.json").read_text())
    assert results["task"] == "graphclip"
    assert 0.0 <= results["val"]["zeroshot_accuracy"]["mean"] <= 1.0
    assert results["val"]["contrastive_loss"]["mean"] > 0
    state = torch.load(run_dir / "checkpoints" / "best.pt", weights_only=True)
    assert state["build"]["model"]["name"] == "graphclip" and state["build"]["task"] == "graphclip"
    assert state["build"]["inputs"]["num_features"] == 384 and state["build"]["inputs"]["rwse_dim"] == 8
    import graphkit

    assert type(graphkit.load_model(run_dir / "checkpoints" / "best.pt")).__name__ == "GraphCLIP"

    assert main(["zeroshot", str(run_dir), "--dataset", str(cora), "--split", "all", "--baselines", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "graphclip" in out and "text_2hop_mean" in out
    zs_dir = next((run_dir / "zeroshot").glob("*/results.json")).parent
    zs = json.loads((zs_dir / "results.json").read_text())
    # a recipe run directory: the typed config, the results, tracked offline by default
    recorded = yaml.safe_load((zs_dir / "config.yaml").read_text())
    assert recorded["pretrained"] == str(run_dir) and recorded["baselines"] is True
    assert recorded["tracking"]["wandb"]["mode"] == "offline" and (zs_dir / "wandb").is_dir()
    assert zs["run_dir"] == str(zs_dir)
    assert zs["num_nodes"] == 160 and zs["main_method"] == "graphclip" and zs["text_prior"] == 1.0
    assert set(zs["methods"]) == {"graphclip", "graphclip_encoder", "text", "text_2hop_mean", "graphclip-mean",
                                  "graphclip_encoder-mean", "text-mean", "text_2hop_mean-mean"}
    assert len(zs["methods"]["graphclip"]["per_class"]) == len(json.loads((cora / "label_names.json").read_text()))
    # titles-only Cora, 7 classes: far above chance even from a one-epoch run
    assert zs["methods"]["graphclip"]["accuracy"] > 0.3

    # the suite: the pretraining source is left out, one table over the other targets,
    # label texts from a description file matched by class name
    names = json.loads((cora / "label_names.json").read_text())
    (tmp_path / "desc.json").write_text(json.dumps({n.replace("_", " "): f"papers on {n}" for n in reversed(names)}))
    assert main(["zeroshot", str(run_dir), "--targets", f"{cora},{arxiv}", "--split", "all", "--quiet",
                 "--class-texts", "descriptions", "--class-descriptions", str(tmp_path / "desc.json"),
                 "tracking.wandb.mode='disabled'"]) == 0
    assert "left out as pretraining sources: " + str(arxiv) in capsys.readouterr().out
    suite = json.loads((run_dir / "zeroshot" / "suite-all" / "results.json").read_text())
    assert list(suite["targets"]) == [str(cora)] and suite["left_out_sources"] == [str(arxiv)]
    assert suite["targets"][str(cora)]["class_texts"] == [f"papers on {n}" for n in names]
    assert (run_dir / "zeroshot" / "suite-all" / "table.md").read_text().startswith("| target | nodes | graphclip |")

    assert main(["fewshot", str(run_dir), "--dataset", str(cora), "--shots", "1,3", "--seeds", "0,1",
                 "--epochs", "5", "--second-nodes", "40", "--quiet", "tracking.wandb.mode=disabled"]) == 0
    fs_dir = next((run_dir / "fewshot").glob("*/results.json")).parent
    fs = json.loads((fs_dir / "results.json").read_text())
    assert yaml.safe_load((fs_dir / "config.yaml").read_text())["shots"] == [1, 3]
    # every tuning epoch of prompt and fine-tuning, per (shots, seed)
    rows = [json.loads(line) for line in (fs_dir / "metrics.jsonl").read_text().splitlines()]
    assert len(rows) == 2 * 2 * 2 * 5 and {r["method"] for r in rows} == {"prompt", "finetune"}
    assert not (fs_dir / "wandb").exists()
    assert fs["second_dataset"].endswith("arxiv_slice") and fs["second_nodes"] == 40
    assert set(fs["summary"]) == {"1", "3"} and len(fs["runs"]) == 4
    for entry in fs["summary"].values():
        assert {"prompt", "linear_probe", "finetune", "second_zeroshot_finetune"} <= set(entry)
    # prompt tuning leaves the encoder as it was: no forgetting on the second dataset
    assert entry["second_zeroshot_prompt"]["mean"] == fs["zeroshot_second_before"]
    assert next((run_dir / "fewshot").glob("*/fewshot.png")).stat().st_size > 0
    # settings are chosen on the validation nodes, never on the test nodes
    assert main(["fewshot", str(run_dir), "--dataset", str(cora), "--shots", "1", "--seeds", "0", "--epochs", "2",
                 "--second-nodes", "40", "--eval-split", "valid", "--probe-c", "0.5", "--quiet"]) == 0
    fv = json.loads(next((run_dir / "fewshot").glob("*-valid/results.json")).read_text())
    assert fv["eval_split"] == "valid" and fv["probe_c"] == 0.5
    from graphkit.pretrain.graph_clip_task import embed_subgraphs
    from graphkit.text.text_graph import TextGraph
    from graphkit.zeroshot.pretrained_graph_clip import PretrainedGraphCLIP

    pretrained = PretrainedGraphCLIP.load(run_dir)
    encoder = pretrained.text_encoder(progress=False)
    graph = TextGraph.load(str(cora), encoder)
    valid = graph.dataset.splits[0]["valid"]
    emb = embed_subgraphs(pretrained.model, graph.x, pretrained.sampler().sample(graph.edge_index, graph.num_nodes,
                                                                                 valid))
    expected = float(((emb @ graph.class_embeddings(encoder).t()).argmax(1) == graph.y[valid]).float().mean())
    assert fv["eval_nodes"] == valid.numel() and fv["zeroshot_target"] == pytest.approx(expected)


@pytest.mark.slow
def test_killed_pretraining_resumes_to_the_uninterrupted_checkpoint(slices, tmp_path, monkeypatch):
    arxiv, _ = slices
    full, cut = tmp_path / "full", tmp_path / "cut"
    assert main(_pretrain_argv(arxiv, full, 3)) == 0
    from graphkit.tracking.wandb_tracker import WandbTracker

    real = WandbTracker.log

    def die_after_first_epoch(self, row):
        real(self, row)
        if row["epoch"] == 0:
            raise KeyboardInterrupt  # as if killed right after epoch 0's checkpoint

    monkeypatch.setattr(WandbTracker, "log", die_after_first_epoch)
    assert main(_pretrain_argv(arxiv, cut, 3)) == 130
    assert not (cut / "results.json").exists()
    monkeypatch.setattr(WandbTracker, "log", real)
    torch.manual_seed(1234)  # a new process starts from unrelated RNG state
    assert main(["pretrain", "--resume", str(cut), "--quiet"]) == 0
    for name in ("last.pt", "best.pt"):
        a = torch.load(full / "checkpoints" / name, weights_only=True)["model"]
        b = torch.load(cut / "checkpoints" / name, weights_only=True)["model"]
        assert a.keys() == b.keys()
        for k in a:
            assert torch.equal(a[k], b[k]), (name, k)
