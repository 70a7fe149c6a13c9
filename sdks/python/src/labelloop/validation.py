"""The checks of libs/contracts validatePredictionEvent, so a bad event is refused in record(), not downstream."""

from __future__ import annotations

import math

from labelloop.gen.labelloop.inference.v1 import prediction_pb2


def validate_prediction(e: prediction_pb2.PredictionEvent) -> str | None:
    """The first problem of `e` (starting with the field's name), or None."""
    if not e.event_id:
        return "event_id is required"
    if not e.model_id:
        return "model_id is required"
    if not e.model_version:
        return "model_version is required"
    if not e.content_hash:
        return "content_hash is required"
    if not math.isfinite(e.confidence) or not 0 <= e.confidence <= 1:
        return f"confidence must be in [0, 1], got {e.confidence}"
    for k, v in e.numeric_features.items():
        if not math.isfinite(v):
            return f"numeric_features.{k} is not finite"
    for k, v in e.class_probabilities.items():
        if not math.isfinite(v) or not 0 <= v <= 1:
            return f"class_probabilities.{k} must be in [0, 1]"
    if any(not math.isfinite(v) for v in e.embedding):
        return "embedding has a non-finite value"
    return None
