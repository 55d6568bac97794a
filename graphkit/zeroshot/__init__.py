"""Zero-shot and few-shot node classification on text-attributed graphs with a
pretrained GraphCLIP model, plus the training-free text baselines."""

from graphkit.zeroshot.evaluation import classification_metrics, per_class_table
from graphkit.zeroshot.graph_prompt import GraphPrompt
from graphkit.zeroshot.label_prompt import LabelPrompt
from graphkit.zeroshot.pretrained_graph_clip import PretrainedGraphCLIP
from graphkit.zeroshot.zero_shot_classifier import (ZeroShotClassifier, khop_mean, propagated_scores,
                                                    text_scores)

__all__ = ["GraphPrompt", "LabelPrompt", "PretrainedGraphCLIP", "ZeroShotClassifier", "classification_metrics",
           "khop_mean", "per_class_table", "propagated_scores", "text_scores"]
