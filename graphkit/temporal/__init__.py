"""Continuous-time dynamic graphs: DyGLib's chronological split with its new-node sets, its
negative sampling strategies, a recent-neighbour buffer that never reads the future,
batch-averaged AP / AUC-ROC, and TGB's mean reciprocal rank."""

from graphkit.temporal.metrics import batch_averaged_metrics, mean_reciprocal_rank
from graphkit.temporal.negative_sampler import STRATEGIES, NegativeSampler
from graphkit.temporal.node_time_pairs import unique_node_times
from graphkit.temporal.recent_neighbors import RecentNeighbors
from graphkit.temporal.temporal_split import TemporalSplit, chronological_split

__all__ = ["STRATEGIES", "NegativeSampler", "RecentNeighbors", "TemporalSplit", "batch_averaged_metrics",
           "chronological_split", "mean_reciprocal_rank", "unique_node_times"]
