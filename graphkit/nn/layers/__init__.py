"""Whole model layers that combine a local and a global branch (GPS, GMN, GSM++)."""

from graphkit.nn.layers.gmn_layer import GMNLayer
from graphkit.nn.layers.gps_layer import GPSLayer
from graphkit.nn.layers.gsm_layer import GSMLayer

__all__ = ["GMNLayer", "GPSLayer", "GSMLayer"]
