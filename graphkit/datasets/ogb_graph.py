"""OGB graph-property datasets from OGB's own raw layout (molbace, molesol, molfreesolv),
processed by OGB's ``PygGraphPropPredDataset`` with its scaffold split."""

from __future__ import annotations

from functools import partial

from graphkit.datasets.checksums import SHA256, known_file
from graphkit.datasets.dataset_spec import DatasetSpec
from graphkit.datasets.load_context import LoadContext
from graphkit.datasets.loaded_dataset import GRAPH_MULTILABEL, GRAPH_REGRESSION, LoadedDataset

OGB_GRAPH_URL = "http://snap.stanford.edu/ogb/data/graphproppred/csv_mol_download"


def _files(dir_name: str, download_name: str) -> tuple:
    # The mirror holds the zip unzipped; a download fetches the zip and takes each member
    # from the folder it unpacks to (<download_name>/...).
    prefix = f"ogb/{dir_name}/"
    return tuple(
        known_file(path, f"{OGB_GRAPH_URL}/{download_name}.zip",
                   member=f"{download_name}/{path[len(prefix):]}")
        for path in sorted(SHA256) if path.startswith(prefix)
    )


def _load(ctx: LoadContext, ogb_name: str) -> LoadedDataset:
    import torch
    from ogb.graphproppred import PygGraphPropPredDataset
    from torch_geometric.data.data import DataEdgeAttr, DataTensorAttr
    from torch_geometric.data.storage import GlobalStorage

    dir_name = ogb_name.replace("-", "_")
    for file in ctx.spec.files:
        relative = file.path[len(f"ogb/{dir_name}/"):]
        folder = ctx.work_dir / dir_name / relative.rsplit("/", 1)[0]
        ctx.stage([file.path], folder)
    # OGB asks interactively whether to re-download a folder that lacks its release marker.
    (ctx.work_dir / dir_name / "RELEASE_v1.txt").touch()
    # OGB 1.3.6 reloads its own processed file with a bare torch.load, which torch >= 2.6
    # restricts to allow-listed classes; that file was just written by OGB in our work dir.
    with torch.serialization.safe_globals([DataEdgeAttr, DataTensorAttr, GlobalStorage]):
        dataset = PygGraphPropPredDataset(ogb_name, root=str(ctx.work_dir))
    graphs = [dataset[i] for i in range(len(dataset))]
    for graph in graphs:
        graph.y = graph.y.float().view(1, -1)  # [1, num_tasks]; NaN marks a missing label
    split = dataset.get_idx_split()
    return LoadedDataset(
        name=ctx.spec.name, task=ctx.spec.task, metric=ctx.spec.metric, graphs=graphs,
        splits=[{k: torch.as_tensor(v, dtype=torch.long) for k, v in split.items()}],
        num_features=9, num_classes=dataset.num_tasks,
        node_encoder="ogb_atom", edge_encoder="ogb_bond", num_edge_features=3,
        extra={"ogb_name": ogb_name},
    )


def _spec(short: str, task: str, metric: str, graphs: int, nodes: int, edges: int,
          description: str) -> DatasetSpec:
    ogb_name = f"ogbg-{short}"
    return DatasetSpec(
        name=short,
        task=task,
        metric=metric,
        source="OGB (MoleculeNet), scaffold split",
        citation="https://arxiv.org/abs/2005.00687",
        description=description,
        files=_files(ogb_name.replace("-", "_"), short),
        loader=partial(_load, ogb_name=ogb_name),
        splits=("scaffold",),
        num_graphs=graphs,
        num_nodes=nodes,
        num_edges=edges,
    )


SPECS = (
    _spec("molbace", GRAPH_MULTILABEL, "rocauc", 1513, 51577, 111536,
          "BACE-1 inhibitors (binary), OGB features"),
    _spec("molesol", GRAPH_REGRESSION, "rmse", 1128, 14991, 30856,
          "water solubility (log mol/L) regression, OGB features"),
    _spec("molfreesolv", GRAPH_REGRESSION, "rmse", 642, 5600, 10770,
          "hydration free energy regression, OGB features"),
)
