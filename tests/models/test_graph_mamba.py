import pytest
import torch
from torch_geometric.data import Batch

from graphkit.models import build_model_for
from graphkit.models.graph_gps import GraphGPSConfig
from graphkit.models.graph_mamba import GraphMambaConfig
from graphkit.nn.mamba.neighborhood_tokenizer import NeighborhoodTokenizer
from tests.models.test_graph_gps import _dataset, _molecules


def test_neighborhood_tokenizer_walks_follow_edges_and_pool_farthest_first():
    torch.manual_seed(0)
    edge_index = torch.tensor([[0, 1, 1, 2, 2, 3], [1, 0, 2, 1, 3, 2]])  # path 0-1-2-3
    tok = NeighborhoodTokenizer(walk_length=3, num_walks=2, num_samples=2)
    walks = tok(edge_index, 4)
    assert walks.shape == (4, 2, 2, 4)
    assert torch.equal(walks[..., 0], torch.arange(4).view(4, 1, 1).expand(4, 2, 2))
    steps = torch.stack([walks[..., :-1].reshape(-1), walks[..., 1:].reshape(-1)])
    edges = {tuple(e) for e in edge_index.T.tolist()}
    assert all(tuple(s) in edges for s in steps.T.tolist())
    x = torch.arange(4.0).view(4, 1)
    tokens = tok.pool(x, walks)  # [4, m * s, 1]
    assert tokens.shape == (4, 6, 1)
    # the closest token (l = 1) of sample 0 is the mean over the M walks' first two nodes
    expected = x[walks[:, 0, :, :2].reshape(4, -1)].mean(dim=1)
    assert torch.allclose(tokens[:, 4], expected)


@pytest.mark.parametrize("walk_length,ordering", [(0, "degree"), (0, "pagerank"), (2, "degree")])
def test_graph_mamba_forward_backward(walk_length, ordering):
    torch.manual_seed(0)
    graphs = _molecules()
    cfg = GraphMambaConfig(name="graph_mamba", hidden_channels=16, num_layers=2,
                           walk_length=walk_length, ordering=ordering, state_channels=4,
                           rwse_channels=4, lap_channels=4)
    model = build_model_for(cfg, _dataset(graphs), 1)
    out = model(Batch.from_data_list(graphs))
    assert out.shape == (3, 1)
    out.sum().backward()
    assert all(p.grad is not None for p in model.layers[0].parameters() if p.requires_grad)
    model.eval()
    assert torch.isfinite(model(Batch.from_data_list(graphs))).all()


def test_gps_with_mamba_eval_averages_orderings():
    torch.manual_seed(0)
    graphs = _molecules()
    cfg = GraphGPSConfig(name="gps", hidden_channels=16, num_layers=2, global_model="mamba",
                         heads=2, rwse_channels=4, lap_channels=4, mamba_state_channels=4,
                         mamba_eval_orderings=3)
    model = build_model_for(cfg, _dataset(graphs), 1).eval()
    batch = Batch.from_data_list(graphs)
    a, b = model(batch), model(batch)
    assert a.shape == (3, 1)
    # different random tie-breaks give (slightly) different averages; both are finite
    assert torch.isfinite(a).all() and torch.isfinite(b).all()


@pytest.mark.slow
@pytest.mark.parametrize("config,overrides", [
    ("configs/graph_mamba/mutag.yaml", ["data.splits=[0]", "model.num_layers=2"]),
    ("configs/gps/mutag.yaml", ["data.splits=[0]", "model.num_layers=2",
                                "model.global_model=mamba"]),
])
def test_graph_mamba_cli_two_epochs_on_mirror_data(mirror, tmp_path, config, overrides):
    from pathlib import Path

    from tests.models.test_graph_gps import _train_cli

    repo = Path(__file__).resolve().parents[2]
    written = _train_cli(str(repo / config), tmp_path / "run", *overrides)
    assert "nan" not in str(written).lower()
