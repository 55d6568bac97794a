import torch
from torch import nn

from graphkit.models.temporal.todyformer import Todyformer


def test_todyformer_last_position_equals_the_full_encoder_layer():
    torch.manual_seed(0)
    layer = nn.TransformerEncoderLayer(8, 2, 16, 0.0, batch_first=True, norm_first=True).eval()
    seq = torch.randn(5, 4, 8)
    padding = torch.tensor([[False] * 4, [True, False, True, False], [True, True, True, False],
                            [False, True, False, False], [True, True, False, False]])
    full = layer(seq, src_key_padding_mask=padding)[:, -1]
    torch.testing.assert_close(Todyformer.last_position(layer, seq, padding), full, rtol=1e-5, atol=1e-6)
