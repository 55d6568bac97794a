"""Results tables over run directories (``graphkit compare``): mean ± std per group."""

from graphkit.compare.results_table import ResultsTable

__all__ = ["ResultsTable"]
