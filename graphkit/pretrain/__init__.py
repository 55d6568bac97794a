"""GraphCLIP pretraining (https://arxiv.org/abs/2410.10329): subgraphs of text-attributed
graphs, their summaries, and the graph–summary contrastive task on the shared trainer."""
