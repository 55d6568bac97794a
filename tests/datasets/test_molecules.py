import numpy as np
import pytest
import torch
from ogb.utils import smiles2graph

from graphkit.datasets import molecules
from graphkit.datasets.molecules import (ZINC_ATOM_TYPES, graphs_from_smiles, ogb_graph_arrays,
                                         parse_smiles, smiles_to_ogb_graph, smiles_to_zinc_graph,
                                         zinc_graph_arrays)
from graphkit.errors import DatasetError


def _types(smiles: str) -> list[str]:
    return [ZINC_ATOM_TYPES[i] for i in smiles_to_zinc_graph(smiles).x.view(-1).tolist()]


def test_zinc_vocab_has_28_atom_types():
    assert len(ZINC_ATOM_TYPES) == 28 and len(set(ZINC_ATOM_TYPES)) == 28
    assert ZINC_ATOM_TYPES[:5] == ("C", "O", "N", "F", "C H1") and ZINC_ATOM_TYPES[27] == "P H1 +"


def test_zinc_atom_types_of_hand_written_smiles():
    # chiral CH, ammonium, carboxylate, pyrrole [nH] (plain N once kekulized), Cl.
    assert _types("[C@@H](C)(N)O") == ["C H1", "C", "N", "O"]
    assert _types("C[NH3+]") == ["C", "N H3 +"]
    assert _types("CC(=O)[O-]") == ["C", "C", "O", "O -"]
    assert _types("c1cc[nH]c1") == ["C", "C", "C", "N", "C"]
    assert _types("C[NH+](C)C") == ["C", "N H1 +", "C", "C"]
    assert _types("Clc1ccccc1") == ["Cl"] + ["C"] * 6


def test_zinc_bonds_are_kekulized_single_double_triple():
    graph = smiles_to_zinc_graph("c1ccccc1C#N")
    bond_types = graph.edge_attr.view(-1, 2)[:, 0].tolist()  # both directions stored
    assert sorted(bond_types) == [1, 1, 1, 1, 2, 2, 2, 3]  # benzene: 3 single, 3 double
    assert graph.edge_index.shape == (2, 16) and torch.equal(graph.edge_attr[0::2], graph.edge_attr[1::2])
    assert graph.x.shape == (8, 1) and graph.x.dtype == torch.long


def test_zinc_graph_rejects_atoms_outside_the_vocabulary():
    with pytest.raises(DatasetError, match="not in the ZINC vocabulary"):
        smiles_to_zinc_graph("[Na+].[Cl-]")


@pytest.mark.parametrize("smiles", ["CC(=O)Oc1ccccc1C(=O)O", "C[C@H](N)C(=O)O", "[Na+].[Cl-]", "C"])
def test_ogb_graph_matches_ogb_smiles2graph(smiles):
    ours, theirs = smiles_to_ogb_graph(smiles), smiles2graph(smiles)
    np.testing.assert_array_equal(ours.x.numpy(), theirs["node_feat"])
    np.testing.assert_array_equal(ours.edge_index.numpy(), theirs["edge_index"])
    np.testing.assert_array_equal(ours.edge_attr.numpy(), theirs["edge_feat"])
    assert ours.num_nodes == theirs["num_nodes"]


def test_parse_smiles_keeps_hypervalent_molecules_and_rejects_garbage():
    # An aluminium oxalate complex from MoleculeNet HIV that current RDKit rejects strictly.
    mol = parse_smiles("O=C1O[Al]23(OC1=O)(OC(=O)C(=O)O2)OC(=O)C(=O)O3")
    assert mol.GetNumAtoms() == 19
    with pytest.raises(DatasetError, match="cannot parse"):
        parse_smiles("C1CC(")


def test_graphs_from_smiles_parallel_matches_serial(monkeypatch):
    monkeypatch.setattr(molecules, "PARALLEL_MIN_MOLECULES", 10)
    smiles = ["CCO", "c1ccccc1", "CC(=O)[O-]", "C[NH3+]"] * 10
    serial = graphs_from_smiles(smiles, zinc_graph_arrays, "t", num_workers=1)
    parallel = graphs_from_smiles(smiles, zinc_graph_arrays, "t", num_workers=2)
    assert len(parallel) == len(smiles)
    assert all(torch.equal(a.x, b.x) and torch.equal(a.edge_attr, b.edge_attr)
               for a, b in zip(serial, parallel))
    assert graphs_from_smiles(["CCO"], ogb_graph_arrays, "t")[0].x.shape == (3, 9)


def test_quiet_rdkit_is_reentrant(capfd):
    with molecules.quiet_rdkit():
        with molecules.quiet_rdkit():
            pass
        # Still inside the outer block: a rejected molecule must not be logged.
        from rdkit import Chem

        assert Chem.MolFromSmiles("C1CC(") is None
    assert "SMILES Parse Error" not in capfd.readouterr().err
