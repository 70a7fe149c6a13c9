"""Writes predictions straight to Kafka with confluent-kafka's idempotent producer."""

from __future__ import annotations

from typing import Any, Sequence

from labelloop.recorder import EncodedPrediction

PREDICTION_TOPIC = "labelloop.prediction.recorded.v1"


class KafkaTransport:
    """
    An idempotent producer (enable.idempotence: acks=all, no duplicates from its own retries),
    key = model id (partitioned by murmur2 like the Java client and kafkajs), value = protobuf bytes, CloudEvents binary headers. send() returns the
    events whose delivery failed, which the recorder sends again.
    """

    def __init__(self, bootstrap_servers: str, *, topic: str = PREDICTION_TOPIC, config: dict[str, Any] | None = None, flush_timeout_s: float = 30.0) -> None:
        from confluent_kafka import Producer  # optional dependency: labelloop[kafka]

        self._topic = topic
        self._flush_timeout_s = flush_timeout_s
        self._producer = Producer(
            {
                "bootstrap.servers": bootstrap_servers,
                "enable.idempotence": True,
                "acks": "all",
                "linger.ms": 5,
                # The Java client's and kafkajs's partitioner (murmur2 of the key): a model's
                # events from Python land on the partition its TypeScript and JVM events do, so
                # one consumer sees them in order. librdkafka's default (CRC32) would split them.
                "partitioner": "murmur2_random",
                "client.id": "labelloop-python-sdk",
                **(config or {}),
            }
        )

    def send(self, batch: Sequence[EncodedPrediction]) -> Sequence[EncodedPrediction]:
        acked = [False] * len(batch)

        def on_delivery(i: int):
            def cb(err: Any, _msg: Any) -> None:
                acked[i] = err is None

            return cb

        for i, p in enumerate(batch):
            while True:
                try:
                    headers: list[tuple[str, str | bytes | None]] = list(p.headers)
                    self._producer.produce(self._topic, key=p.key.encode(), value=p.value, headers=headers, on_delivery=on_delivery(i))
                    break
                except BufferError:
                    self._producer.poll(0.1)  # librdkafka's own queue is full: let it drain
        self._producer.flush(self._flush_timeout_s)
        # Failed or not reported in time: sent again (the idempotent producer and the
        # consumers' inboxes make a late second copy harmless).
        return [p for p, ok in zip(batch, acked) if not ok]

    def close(self) -> None:
        self._producer.flush(self._flush_timeout_s)
