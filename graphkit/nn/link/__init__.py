"""Link-prediction layers: the node encoder of NCN/NCNC/GAE and the NCN predictors."""

from graphkit.nn.link.link_encoder import LINK_CONVS, LinkEncoder
from graphkit.nn.link.ncn_predictor import NCN_VARIANTS, NCNPredictor

__all__ = ["LINK_CONVS", "NCN_VARIANTS", "LinkEncoder", "NCNPredictor"]
