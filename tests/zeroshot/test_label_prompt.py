import torch
import torch.nn.functional as F

from graphkit.zeroshot import LabelPrompt


def test_label_prompt_starts_at_the_class_texts_and_stays_unit_norm():
    class_emb = F.normalize(torch.randn(3, 5), dim=-1)
    prompt = LabelPrompt(class_emb)
    assert torch.allclose(prompt(), class_emb)
    assert [n for n, _ in prompt.named_parameters()] == ["offset"]  # the texts themselves stay fixed
    with torch.no_grad():
        prompt.offset.copy_(torch.randn(3, 5))
    out = prompt()
    assert torch.allclose(out.norm(dim=-1), torch.ones(3))
    assert not torch.allclose(out, class_emb)
    assert torch.equal(prompt.class_emb, class_emb)
