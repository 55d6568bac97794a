"""Split protocols computed from the data: TU cross-validation folds, scaffold splits,
seeded random splits, and CV splits read from given fold files. All deterministic for
fixed inputs."""

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
from graphkit.errors import DatasetError

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



def fold_file_splits(train_folds: Sequence[Tensor], test_folds: Sequence[Tensor], num_items: int,
                     where: str = "fold files") -> list[dict[str, Tensor]]:
    """Cross-validation splits from given train / test index files, with the EHGNN (and
    GIN) reference code's validation rule: split ``i`` tests on ``test_folds[i]``, validates
    on the previous fold's test set ``test_folds[i - 1]`` (fold 0 on the last one) and
    trains on ``train_folds[i]`` without those validation graphs.

    Raises:
        DatasetError: the numbers of train and test folds differ, an index is out of range,
            or a split's train and test sets overlap or do not cover the ``num_items`` items.
    """
    if len(train_folds) != len(test_folds) or not test_folds:
        raise DatasetError(f"{where}: {len(train_folds)} train and {len(test_folds)} test folds; expected the "
                           f"same number (at least one)")
    splits = []
    for i, (train, test) in enumerate(zip(train_folds, test_folds)):
        for kind, idx in (("train", train), ("test", test)):
            if idx.numel() and (int(idx.min()) < 0 or int(idx.max()) >= num_items):
                raise DatasetError(f"{where}: fold {i + 1} {kind} index {int(idx.max())} out of range for "
                                   f"{num_items} graphs (0-based indices expected)")
        seen = torch.zeros(num_items, dtype=torch.long)
        seen[train] += 1
        seen[test] += 1
        if not bool((seen == 1).all()):
            raise DatasetError(f"{where}: fold {i + 1}'s train and test sets must partition the {num_items} graphs "
                               f"({int((seen == 0).sum())} missing, {int((seen > 1).sum())} repeated)")
        valid = test_folds[i - 1]
        keep = torch.ones(num_items, dtype=torch.bool)
        keep[valid] = False
        train = train[keep[train]]
        splits.append({"train": train, "valid": valid.clone(), "test": test.clone()})
    return splits
