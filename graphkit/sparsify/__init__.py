"""GTSP-style sparsification of trained graph transformers: masks, FLOPs, compaction."""
