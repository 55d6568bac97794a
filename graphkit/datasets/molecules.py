"""SMILES -> PyG graphs: OGB's 9 atom / 3 bond categorical features, and ZINC's atom types."""

from __future__ import annotations

import multiprocessing
import os
from contextlib import contextmanager
from typing import Callable, Iterable, Iterator, Optional, Sequence

import numpy as np
import torch
from ogb.utils.features import atom_to_feature_vector, bond_to_feature_vector
from rdkit import Chem, RDLogger
from torch_geometric.data import Data

from graphkit.errors import DatasetError
from graphkit.progress import Progress

# benchmarking-gnns' ZINC atom dictionary (index = node label): element, explicit H count
# as written in the kekulized SMILES, formal charge sign.
ZINC_ATOM_TYPES = (
    "C", "O", "N", "F", "C H1", "S", "Cl", "O -", "N H1 +", "Br", "N H3 +", "N H2 +", "N +",
    "N -", "S -", "I", "P", "O H1 +", "N H1 -", "O +", "S +", "P H1", "P H2", "C H2 -", "P +",
    "S H1 +", "C H1 -", "P H1 +",
)
# Kekulized bonds; 0 ("NONE") is reserved, as in benchmarking-gnns and PyG's ZINC.
ZINC_BOND_TYPES = {Chem.BondType.SINGLE: 1, Chem.BondType.DOUBLE: 2, Chem.BondType.TRIPLE: 3}
NUM_ZINC_BOND_TYPES = 4
_ZINC_ATOM_INDEX = {t: i for i, t in enumerate(ZINC_ATOM_TYPES)}
# Below this many molecules, starting worker processes costs more than it saves.
PARALLEL_MIN_MOLECULES = 5000


_quiet_depth = 0


@contextmanager
def quiet_rdkit() -> Iterator[None]:
    """Silences RDKit's stderr logging (its per-molecule warnings flood progress output).
    Re-entrant: logging comes back when the outermost block exits."""
    global _quiet_depth
    if _quiet_depth == 0:
        RDLogger.DisableLog("rdApp.*")
    _quiet_depth += 1
    try:
        yield
    finally:
        _quiet_depth -= 1
        if _quiet_depth == 0:
            RDLogger.EnableLog("rdApp.*")


def progress(items: Sequence, desc: str):
    """Progress over ``items`` for long RDKit loops (a bar, or plain lines in a log); silent on short inputs."""
    return progress_iter(items, len(items), desc)


def progress_iter(items: Iterable, total: int, desc: str):
    return Progress(items, desc=desc, total=total, unit="molecules", enabled=total >= 2000)


def parse_smiles(smiles: str) -> Chem.Mol:
    """RDKit molecule of ``smiles``. Molecules that current RDKit rejects only for
    hypervalence (a few organometallics in MoleculeNet HIV that older RDKit, which OGB
    used, accepted) are sanitized without the valence check instead of dropped."""
    with quiet_rdkit():
        mol = Chem.MolFromSmiles(smiles)
        if mol is None:
            mol = Chem.MolFromSmiles(smiles, sanitize=False)
            if mol is not None:
                mol.UpdatePropertyCache(strict=False)
                flags = Chem.SanitizeFlags.SANITIZE_ALL ^ Chem.SanitizeFlags.SANITIZE_PROPERTIES
                if Chem.SanitizeMol(mol, flags, catchErrors=True) != Chem.SanitizeFlags.SANITIZE_NONE:
                    mol = None
    if mol is None:
        raise DatasetError(f"RDKit cannot parse SMILES {smiles!r}")
    return mol


def ogb_graph_arrays(smiles: str) -> dict[str, np.ndarray]:
    """``ogb.utils.smiles2graph``'s arrays (same features, same edge order), parsed with
    :func:`parse_smiles`: ``x`` ``[N, 9]``, ``edge_index`` ``[2, 2B]``, ``edge_attr`` ``[2B, 3]``."""
    mol = parse_smiles(smiles)
    x = np.array([atom_to_feature_vector(a) for a in mol.GetAtoms()], dtype=np.int64).reshape(-1, 9)
    edges, feats = [], []
    for bond in mol.GetBonds():
        i, j = bond.GetBeginAtomIdx(), bond.GetEndAtomIdx()
        feat = bond_to_feature_vector(bond)
        edges += [(i, j), (j, i)]
        feats += [feat, feat]
    return {"x": x, "edge_index": np.array(edges, dtype=np.int64).reshape(-1, 2).T,
            "edge_attr": np.array(feats, dtype=np.int64).reshape(-1, 3)}


def smiles_to_ogb_graph(smiles: str) -> Data:
    """PyG graph of :func:`ogb_graph_arrays` (OGB's 9 atom / 3 bond categorical features)."""
    return arrays_to_data(ogb_graph_arrays(smiles))


def zinc_atom_types(mol: Chem.Mol) -> list[str]:
    """benchmarking-gnns atom type string of every atom of a kekulized ``mol`` (atom order).

    The molecule is written back as kekulized SMILES: explicit hydrogens are those SMILES
    must spell out (chiral or charged centres, unusual valences), so aromatic ``[nH]``
    becomes plain ``N`` while ``[C@@H]`` is ``C H1`` and ``[NH3+]`` is ``N H3 +``.
    """
    kekule = Chem.MolToSmiles(mol, kekuleSmiles=True, canonical=False)
    order = list(mol.GetPropsAsDict(includePrivate=True, includeComputed=True)["_smilesAtomOutputOrder"])
    written = Chem.MolFromSmiles(kekule, sanitize=False)  # atoms in output order
    types = [""] * mol.GetNumAtoms()
    for position, atom_index in enumerate(order):
        atom = written.GetAtomWithIdx(position)
        hydrogens, charge = atom.GetNumExplicitHs(), atom.GetFormalCharge()
        types[atom_index] = (atom.GetSymbol() + (f" H{hydrogens}" if hydrogens else "")
                             + (" +" if charge > 0 else " -" if charge < 0 else ""))
    return types


def zinc_graph_arrays(smiles: str) -> dict[str, np.ndarray]:
    """ZINC graph as in benchmarking-gnns / PyG's ``ZINC``: ``x`` ``[N, 1]`` atom type
    (0..27), ``edge_index`` ``[2, 2B]``, ``edge_attr`` ``[2B]`` bond type (1 single,
    2 double, 3 triple)."""
    mol = parse_smiles(smiles)
    Chem.Kekulize(mol, clearAromaticFlags=True)
    types = zinc_atom_types(mol)
    unknown = [t for t in types if t not in _ZINC_ATOM_INDEX]
    if unknown:
        raise DatasetError(f"{smiles!r}: atom type {unknown[0]!r} is not in the ZINC vocabulary")
    edges, kinds = [], []
    for bond in mol.GetBonds():
        kind = ZINC_BOND_TYPES.get(bond.GetBondType())
        if kind is None:
            raise DatasetError(f"{smiles!r}: bond type {bond.GetBondType()} is not in ZINC's")
        i, j = bond.GetBeginAtomIdx(), bond.GetEndAtomIdx()
        edges += [(i, j), (j, i)]
        kinds += [kind, kind]
    return {"x": np.array([_ZINC_ATOM_INDEX[t] for t in types], dtype=np.int64).reshape(-1, 1),
            "edge_index": np.array(edges, dtype=np.int64).reshape(-1, 2).T,
            "edge_attr": np.array(kinds, dtype=np.int64)}


def smiles_to_zinc_graph(smiles: str) -> Data:
    """PyG graph of :func:`zinc_graph_arrays`."""
    return arrays_to_data(zinc_graph_arrays(smiles))


def arrays_to_data(arrays: dict[str, np.ndarray]) -> Data:
    data = Data(**{k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in arrays.items()})
    data.num_nodes = len(arrays["x"])
    return data


def graphs_from_smiles(smiles: Sequence[str], to_arrays: Callable[[str], dict[str, np.ndarray]],
                       desc: str, num_workers: Optional[int] = None) -> list[Data]:
    """PyG graphs of every SMILES, in order, with a progress bar.

    RDKit featurization is the slow part of preparing molecule datasets (minutes for
    peptides / HIV on one core), so large inputs are spread over ``num_workers``
    processes (default: the CPUs this process may use, at most 8). ``to_arrays`` (e.g.
    :func:`ogb_graph_arrays`) must be a module-level function returning numpy arrays:
    workers send back arrays, not tensors, since torch shares tensors between processes
    through file descriptors and would run out of them.
    """
    if num_workers is None:
        num_workers = min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                          else os.cpu_count() or 1, 8)
    with quiet_rdkit():
        if num_workers <= 1 or len(smiles) < PARALLEL_MIN_MOLECULES:
            return [arrays_to_data(to_arrays(s)) for s in progress(smiles, desc)]
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        with multiprocessing.get_context(method).Pool(num_workers, initializer=_quiet_worker) as pool:
            results = pool.imap(to_arrays, smiles, chunksize=64)
            return [arrays_to_data(r) for r in progress_iter(results, len(smiles), desc)]


def _quiet_worker() -> None:
    global _quiet_depth
    _quiet_depth = 1  # stays silent for the worker's lifetime
    RDLogger.DisableLog("rdApp.*")
