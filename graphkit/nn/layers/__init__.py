"""Whole model layers that combine a local and a global branch (GPS, GMN)."""

from graphkit.nn.layers.gmn_layer import GMNLayer
from graphkit.nn.layers.gps_layer import GPSLayer

__all__ = ["GMNLayer", "GPSLayer"]
