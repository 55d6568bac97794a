"""Graph contrastive learning: GRACE and GCA pretraining tasks, POT's node compactness and
the linear evaluation protocol (docs/gcl.md)."""
