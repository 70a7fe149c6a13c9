"""CloudEvents binary-mode Kafka headers, the same as the TypeScript SDK's (libs/messaging envelopeHeaders)."""

from __future__ import annotations

from datetime import datetime, timezone

from labelloop.gen.labelloop.inference.v1 import prediction_pb2

PREDICTION_TYPE = "labelloop.inference.v1.PredictionEvent"
PROTOBUF_CONTENT_TYPE = "application/protobuf"


def iso_millis(seconds: int, nanos: int) -> str:
    """`ce_time` as JavaScript's Date.toISOString() writes it: UTC, milliseconds, `Z`."""
    t = datetime.fromtimestamp(seconds, tz=timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S") + f".{nanos // 1_000_000:03d}Z"


def envelope_headers(event: prediction_pb2.PredictionEvent, source: str) -> list[tuple[str, bytes]]:
    """Kafka headers of one prediction, in the TypeScript SDK's order: content-type, ce_id, ce_time, ce_type, ce_source, ce_specversion."""
    return [
        ("content-type", PROTOBUF_CONTENT_TYPE.encode()),
        ("ce_id", event.event_id.encode()),
        ("ce_time", iso_millis(event.timestamp.seconds, event.timestamp.nanos).encode()),
        ("ce_type", PREDICTION_TYPE.encode()),
        ("ce_source", source.encode()),
        ("ce_specversion", b"1.0"),
    ]
