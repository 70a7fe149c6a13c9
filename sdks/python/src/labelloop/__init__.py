"""LabelLoop's Python SDK: record predictions from an inference service into LabelLoop."""

from labelloop.envelope import envelope_headers
from labelloop.events import content_hash, embedding_values, from_hf_pipeline, from_sklearn_proba, with_embedding
from labelloop.gen.labelloop.inference.v1.prediction_pb2 import FeatureVector, GroundTruth, PredictionEvent
from labelloop.http_transport import GatewayHttpTransport
from labelloop.kafka_transport import PREDICTION_TOPIC, KafkaTransport
from labelloop.recorder import (
    EncodedPrediction,
    PermanentError,
    PredictionRecorder,
    RecorderStats,
    RetryableError,
    Transport,
    encode_prediction,
)
from labelloop.validation import validate_prediction

__all__ = [
    "EncodedPrediction",
    "FeatureVector",
    "GatewayHttpTransport",
    "GroundTruth",
    "KafkaTransport",
    "PREDICTION_TOPIC",
    "PermanentError",
    "PredictionEvent",
    "PredictionRecorder",
    "RecorderStats",
    "RetryableError",
    "Transport",
    "content_hash",
    "embedding_values",
    "encode_prediction",
    "envelope_headers",
    "from_hf_pipeline",
    "from_sklearn_proba",
    "validate_prediction",
    "with_embedding",
]
