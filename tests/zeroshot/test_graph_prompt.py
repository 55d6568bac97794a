import torch

from graphkit.zeroshot import GraphPrompt


def test_graph_prompt_starts_at_zero_and_depends_on_the_node_after_training():
    prompt = GraphPrompt(4, num_basis=3)
    x = torch.randn(5, 4)
    assert torch.equal(prompt(x), torch.zeros(5, 4))
    with torch.no_grad():
        prompt.basis.copy_(torch.eye(3, 4))
    out = prompt(x)
    weights = torch.softmax(prompt.attention(x), dim=-1)
    assert torch.allclose(out[:, :3], weights) and torch.allclose(out.sum(1), torch.ones(5))


def test_single_basis_prompt_is_one_shared_vector():
    prompt = GraphPrompt(4, num_basis=1)
    with torch.no_grad():
        prompt.basis.fill_(0.5)
    assert torch.equal(prompt(torch.randn(3, 4)), torch.full((3, 4), 0.5))
