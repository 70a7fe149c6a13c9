"""Against the real ingest gateway and Kafka broker that test/e2e/python-sdk.e2e-spec.ts starts (skipped without them)."""

import os
import sys
import uuid

import pytest

from labelloop import GatewayHttpTransport, KafkaTransport, PredictionRecorder, from_sklearn_proba

GATEWAY = os.environ.get("LABELLOOP_GATEWAY_URL")
TOKEN = os.environ.get("LABELLOOP_TOKEN", "")
BROKERS = os.environ.get("KAFKA_BROKERS")
RUN = os.environ.get("LABELLOOP_RUN", uuid.uuid4().hex[:8])


def predictions(model: str, n: int):
    return [from_sklearn_proba(model, "1", [0.3, 0.7], ["ham", "spam"], input=f"{model}-{i}", event_id=f"{model}-{i}", features={"length": float(i)}) for i in range(n)]


@pytest.mark.skipif(not GATEWAY, reason="LABELLOOP_GATEWAY_URL not set")
def test_records_through_the_gateway_http_api():
    model = f"py-{RUN}-http"
    r = PredictionRecorder(GatewayHttpTransport(GATEWAY, TOKEN), "inference/python-test", batch_size=40)
    for e in predictions(model, 100):
        r.record(e)
    assert r.flush(30)
    r.close()
    s = r.stats()
    assert (s.sent, s.dropped, s.refused, s.rejected) == (100, 0, 0, 0)
    print(f"MODEL {model} 100", file=sys.stderr)


@pytest.mark.skipif(not GATEWAY, reason="LABELLOOP_GATEWAY_URL not set")
def test_a_bad_token_is_refused_not_retried():
    r = PredictionRecorder(GatewayHttpTransport(GATEWAY, "wrong"), "inference/python-test")
    r.record(predictions(f"py-{RUN}-denied", 1)[0])
    assert r.flush(10)
    r.close()
    assert r.stats().refused == 1 and "HTTP 401" in r.stats().errors[-1]


@pytest.mark.skipif(not BROKERS, reason="KAFKA_BROKERS not set")
def test_records_to_kafka_with_the_idempotent_producer():
    model = f"py-{RUN}-kafka"
    r = PredictionRecorder(KafkaTransport(BROKERS), "inference/python-test", batch_size=40)
    for e in predictions(model, 100):
        r.record(e)
    assert r.flush(60)
    r.close()
    assert r.stats().sent == 100
