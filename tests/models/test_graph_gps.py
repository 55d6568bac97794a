import pytest
import torch
from torch_geometric.data import Batch, Data

from graphkit.datasets.loaded_dataset import LoadedDataset
from graphkit.errors import GraphkitError
from graphkit.models import MODELS, build_model_for
from graphkit.models.graph_gps import GraphGPSConfig


def _molecules(num_graphs: int = 3, seed: int = 0) -> list[Data]:
    gen = torch.Generator().manual_seed(seed)
    graphs = []
    for n in range(4, 4 + num_graphs):
        ring = torch.stack([torch.arange(n), (torch.arange(n) + 1) % n])
        ei = torch.cat([ring, ring.flip(0)], dim=1)
        graphs.append(Data(
            x=torch.randint(0, 5, (n, 1), generator=gen), edge_index=ei,
            edge_attr=torch.randint(0, 3, (ei.size(1),), generator=gen),
            rwse=torch.rand(n, 6, generator=gen), lap_pe=torch.randn(n, 3, generator=gen),
            y=torch.rand(1, generator=gen)))
    return graphs


def _dataset(graphs) -> LoadedDataset:
    return LoadedDataset(
        name="toy", task="graph_regression", metric="mae", splits=[], num_features=1,
        num_classes=1, graphs=graphs, node_encoder="embedding", num_node_types=5,
        edge_encoder="embedding", num_edge_types=3)


@pytest.mark.parametrize("local,glob", [("gine", "transformer"), ("gatedgcn", "performer"),
                                        ("gat", "transformer"), ("pna", "none")])
def test_graph_gps_graph_output_invariant_to_node_order(local, glob):
    torch.manual_seed(0)
    graphs = _molecules()
    cfg = GraphGPSConfig(name="gps", hidden_channels=16, num_layers=2, local_conv=local,
                         global_model=glob, heads=2, rwse_channels=4, lap_channels=4)
    model = build_model_for(cfg, _dataset(graphs), 2).eval()
    out = model(Batch.from_data_list(graphs))
    assert out.shape == (3, 2)
    g = graphs[1]
    perm = torch.randperm(g.num_nodes)
    inverse = torch.empty_like(perm)
    inverse[perm] = torch.arange(perm.numel())
    permuted = Data(x=g.x[perm], edge_index=inverse[g.edge_index], edge_attr=g.edge_attr,
                    rwse=g.rwse[perm], lap_pe=g.lap_pe[perm], y=g.y)
    out_p = model(Batch.from_data_list([graphs[0], permuted, graphs[2]]))
    assert torch.allclose(out_p, out, atol=1e-4)


def test_graph_gps_small_graph_nan_padded_lap_pe_is_masked():
    # a 3-node graph has 2 eigenvectors for k=5: the other 3 columns are NaN padding,
    # which must not reach outputs or gradients, and is masked rather than encoded as 0
    from graphkit.transforms.add_laplacian_pe import AddLaplacianPE

    torch.manual_seed(0)
    ring = torch.tensor([[0, 1, 1, 2], [1, 0, 2, 1]])
    g = AddLaplacianPE(k=5)(Data(x=torch.tensor([[1], [2], [3]]), edge_index=ring,
                                 edge_attr=torch.tensor([0, 0, 1, 1]), y=torch.rand(1)))
    assert g.lap_pe[:, 2:].isnan().all()
    g.rwse = torch.rand(3, 6)
    cfg = GraphGPSConfig(name="gps", hidden_channels=16, num_layers=2, heads=2,
                         rwse_channels=4, lap_channels=4)
    model = build_model_for(cfg, _dataset([g]), 1)
    out = model(Batch.from_data_list([g]))
    assert torch.isfinite(out).all()
    out.sum().backward()
    assert all(torch.isfinite(p.grad).all() for p in model.parameters() if p.grad is not None)
    model.eval()
    zeros = g.clone()  # zeros where the NaN padding was: what the encoder must not see
    zeros.lap_pe = torch.nan_to_num(g.lap_pe, nan=0.0)
    zeros.lap_eigval = torch.nan_to_num(g.lap_eigval, nan=0.0)
    assert not torch.allclose(model(Batch.from_data_list([zeros])),
                              model(Batch.from_data_list([g])))


def test_graph_gps_with_signnet_is_invariant_to_eigenvector_signs():
    torch.manual_seed(0)
    graphs = _molecules()
    cfg = GraphGPSConfig(name="gps", hidden_channels=16, num_layers=2, heads=2,
                         rwse_channels=4, lap_channels=4, lap_model="signnet", lap_layers=2,
                         signnet_phi_hidden=8, signnet_phi_out=2, signnet_rho_layers=2)
    model = build_model_for(cfg, _dataset(graphs), 1)
    out = model(Batch.from_data_list(graphs))
    out.sum().backward()
    assert model.lap_encoder.rho[0].weight.grad.abs().sum() > 0
    model.eval()
    flipped = [g.clone() for g in graphs]
    for g in flipped:
        g.lap_pe = g.lap_pe * torch.tensor([-1.0, 1.0, -1.0])
    assert torch.allclose(model(Batch.from_data_list(flipped)),
                          model(Batch.from_data_list(graphs)), atol=1e-5)


def test_graph_gps_node_level_without_edge_features():
    torch.manual_seed(0)
    data = Data(x=torch.randn(6, 5), edge_index=torch.tensor([[0, 1, 2, 3, 4], [1, 2, 3, 4, 5]]))
    ds = LoadedDataset(name="toy", task="node_classification", metric="accuracy", splits=[],
                       num_features=5, num_classes=3, data=data)
    cfg = GraphGPSConfig(name="gps", hidden_channels=8, num_layers=2, local_conv="gatedgcn",
                         heads=2, head_layers=1)
    out = build_model_for(cfg, ds, 3)(data)
    assert out.shape == (6, 3)
    out.sum().backward()


def test_graph_gps_config_rejects_bad_values():
    with pytest.raises(ValueError, match="divisible"):
        GraphGPSConfig(name="gps", hidden_channels=10, heads=4)
    with pytest.raises(ValueError, match="both"):
        GraphGPSConfig(name="gps", local_conv="none", global_model="none")
    wide_pe = GraphGPSConfig(name="gps", hidden_channels=32, rwse_channels=20, lap_channels=12)
    with pytest.raises(GraphkitError, match="smaller"):
        build_model_for(wide_pe, _dataset(_molecules()), 1)
    assert MODELS.get("gps").config_class is GraphGPSConfig


def _train_cli(config: str, run_dir, *overrides: str) -> dict:
    import json

    from graphkit.cli.main import main

    args = ["train", config, "--run-dir", str(run_dir), "--quiet", "--threads", "1",
            "trainer.epochs=2", "tracking.wandb.mode=disabled", *overrides]
    assert main(args) == 0
    results = list(run_dir.rglob("*.json"))
    assert results, f"no results written under {run_dir}"
    return {p.name: json.loads(p.read_text()) for p in results}


@pytest.mark.slow
@pytest.mark.parametrize("config,overrides", [
    ("configs/gps/mutag.yaml", ["data.splits=[0]", "model.num_layers=2"]),
    # Cora's 8 Laplacian eigenvectors (shift-invert Lanczos) through SignNet
    ("configs/gps/cora.yaml", ["model.num_layers=1", "model.lap_model=signnet",
                               "model.lap_layers=2"]),
])
def test_graph_gps_cli_two_epochs_on_mirror_data(mirror, tmp_path, config, overrides):
    from pathlib import Path

    repo = Path(__file__).resolve().parents[2]
    written = _train_cli(str(repo / config), tmp_path / "run", *overrides)
    text = str(written)
    assert "nan" not in text.lower()
