"""graphkit: one trainer and one dataset registry for graph learning research."""

__version__ = "0.1.0"
