import torch

from graphkit.models.temporal.tgn import TGN


def test_tgn_memory_of_a_first_seen_node_is_the_same_in_training_and_evaluation():
    # PyG's TGNMemory in training mode steps the GRU of a node with no pending message (never
    # seen) with a zero message: its memory would start from GRU(0, 0), not 0 as in evaluation
    torch.manual_seed(0)
    model = TGN(num_nodes=6, edge_channels=2, memory_channels=4, time_channels=4, hidden_channels=4,
                num_neighbors=2, dropout=0.0)
    src, dst = torch.tensor([1, 2]), torch.tensor([3, 1])
    t, msg = torch.tensor([1.0, 2.0]), torch.rand(2, 2)
    nodes = torch.tensor([0, 1, 2, 3, 5])
    memories = {}
    for mode in (True, False):
        model.train(mode)
        model.reset_state()
        with torch.no_grad():
            model.observe(src, dst, t, msg)
            memories[mode] = torch.where(model.seen[nodes].unsqueeze(-1), model.memory(nodes)[0], 0.0)
            if mode:  # what forward reads: unseen nodes 0, seen ones GRU(msg, 0)
                assert torch.equal(model.memory.memory[nodes], torch.zeros(5, 4))
    assert torch.equal(model.seen[nodes], torch.tensor([False, True, True, True, False]))
    assert memories[True][1].abs().sum() > 0
    torch.testing.assert_close(memories[True], memories[False], rtol=0, atol=1e-6)


def test_tgn_time_encoder_starts_at_dyglib_frequencies_and_can_be_frozen():
    model = TGN(num_nodes=4, edge_channels=1, memory_channels=4, time_channels=5, hidden_channels=4,
                trainable_time=False)
    w = model.memory.time_enc.lin.weight.view(-1)
    torch.testing.assert_close(w, torch.tensor([1.0, 10 ** -2.25, 10 ** -4.5, 10 ** -6.75, 1e-9]))
    assert not any(p.requires_grad for p in model.memory.time_enc.parameters())
    assert all(p.requires_grad for p in TGN(num_nodes=4, edge_channels=1, memory_channels=4, time_channels=5,
                                            hidden_channels=4).memory.time_enc.parameters())
