"""Split protocols computed from the data: TU cross-validation folds, scaffold splits,
seeded random splits. All deterministic for fixed inputs."""

from __future__ import annotations

from collections import defaultdict
from typing import Sequence

import numpy as np
import torch
from rdkit import Chem
from rdkit.Chem.Scaffolds import MurckoScaffold
from sklearn.model_selection import StratifiedKFold
from torch import Tensor

from graphkit.datasets.molecules import parse_smiles, progress, quiet_rdkit

# PyG's graph-kernel benchmark (benchmark/kernel) seed, so folds match its results.
CV_SEED = 12345


def stratified_kfold_splits(labels: Sequence[int] | Tensor, num_folds: int = 10,
                            seed: int = CV_SEED) -> list[dict[str, Tensor]]:
    """Stratified k-fold CV as in PyG's kernel benchmark (GIN-style 10-fold protocol).

    ``StratifiedKFold(num_folds, shuffle=True, random_state=seed)`` gives folds
    ``F_0..F_{k-1}``; split ``i`` tests on ``F_i``, validates on ``F_{(i-1) mod k}`` and
    trains on the rest, so every graph is tested exactly once across the splits.
    """
    labels = np.asarray(labels)
    folds = StratifiedKFold(num_folds, shuffle=True, random_state=seed)
    tests = [torch.from_numpy(idx).long() for _, idx in folds.split(np.zeros(len(labels)), labels)]
    splits = []
    for i in range(num_folds):
        valid = tests[i - 1]
        train_mask = torch.ones(len(labels), dtype=torch.bool)
        train_mask[tests[i]] = False
        train_mask[valid] = False
        splits.append({"train": train_mask.nonzero().view(-1), "valid": valid, "test": tests[i]})
    return splits


def murcko_scaffold(smiles: str) -> str:
    """Bemis-Murcko scaffold SMILES, chirality included (as OGB / pretrain-gnns)."""
    mol = parse_smiles(smiles)
    try:
        return MurckoScaffold.MurckoScaffoldSmiles(mol=mol, includeChirality=True)
    except Chem.rdchem.MolSanitizeException:
        # Hypervalent molecules parse_smiles let through: same decomposition, lenient valence.
        core = Chem.MurckoDecompose(mol)
        core.UpdatePropertyCache(strict=False)
        return Chem.MolToSmiles(core, isomericSmiles=True)


def scaffold_split(smiles: Sequence[str], frac_train: float = 0.8,
                   frac_valid: float = 0.1) -> dict[str, Tensor]:
    """Deterministic scaffold split, the procedure OGB's molecule datasets were made with
    (`Hu et al. 2020 <https://arxiv.org/abs/1905.12265>`_): molecules are grouped by
    Murcko scaffold, groups are sorted by size (largest first; ties by first index) and
    poured into train until it would exceed ``frac_train``, then valid, then test.
    """
    groups: dict[str, list[int]] = defaultdict(list)
    with quiet_rdkit():
        for i, s in enumerate(progress(smiles, "scaffolds")):
            groups[murcko_scaffold(s)].append(i)
    ordered = sorted(groups.values(), key=lambda g: (len(g), g[0]), reverse=True)
    train_cut, valid_cut = frac_train * len(smiles), (frac_train + frac_valid) * len(smiles)
    train: list[int] = []
    valid: list[int] = []
    test: list[int] = []
    for group in ordered:
        if len(train) + len(group) <= train_cut:
            train += group
        elif len(train) + len(valid) + len(group) <= valid_cut:
            valid += group
        else:
            test += group
    return {k: torch.tensor(sorted(v), dtype=torch.long)
            for k, v in (("train", train), ("valid", valid), ("test", test))}


def random_splits(num_items: int, num_splits: int = 10, frac_train: float = 0.6,
                  frac_valid: float = 0.2) -> list[dict[str, Tensor]]:
    """``num_splits`` random train/valid/test partitions, split ``i`` drawn with seed ``i``."""
    splits = []
    for seed in range(num_splits):
        perm = torch.randperm(num_items, generator=torch.Generator().manual_seed(seed))
        n_train, n_valid = int(frac_train * num_items), int(frac_valid * num_items)
        splits.append({"train": perm[:n_train].sort().values,
                       "valid": perm[n_train:n_train + n_valid].sort().values,
                       "test": perm[n_train + n_valid:].sort().values})
    return splits

