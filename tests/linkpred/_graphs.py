"""A 6-node graph with hand-checked neighbourhoods, shared by the link-prediction tests.

    0 - 1 - 3 - 4 - 5          N(0)={1,2} N(1)={0,2,3} N(2)={0,1,3}
     \\ | /                    N(3)={1,2,4} N(4)={3,5} N(5)={4}
       2
"""

import torch

EDGES = torch.tensor([[0, 0, 1, 1, 2, 3, 4], [1, 2, 2, 3, 3, 4, 5]])
NUM_NODES = 6


def dense_adjacency() -> torch.Tensor:
    a = torch.zeros(NUM_NODES, NUM_NODES)
    a[EDGES[0], EDGES[1]] = 1.0
    a[EDGES[1], EDGES[0]] = 1.0
    return a
