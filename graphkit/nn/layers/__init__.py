"""Whole model layers that combine a local and a global branch (GPS, GMN, GSM++)."""

from graphkit.nn.layers.gmn_layer import GMNLayer
from graphkit.nn.layers.gps_block import BlockMasks, GPSBlock
from graphkit.nn.layers.gps_layer import GPSLayer
from graphkit.nn.layers.gsm_layer import GSMLayer

__all__ = ["BlockMasks", "GMNLayer", "GPSBlock", "GPSLayer", "GSMLayer"]
