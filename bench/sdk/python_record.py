"""
What the Python SDK's PredictionRecorder.record() costs the caller's thread: batches of 1,000
calls timed with perf_counter_ns, alternating a baseline loop (build the PredictionEvent only)
with the same loop plus record(), as record-overhead.ts does for the TypeScript SDK. The
recorder's sender discards batches (no broker): this is the caller-side cost only; the sender
thread still runs and competes for the GIL. Prints one JSON line.
"""

import json
import statistics
import sys
import time

from labelloop import PredictionEvent, PredictionRecorder

N = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
CHUNK = 1000
EMBEDDING = [i / 16 for i in range(16)]
MODELS = ["bench-model-a", "bench-model-b", "bench-model-c", "bench-model-d"]


class Discard:
    def send(self, batch):
        return []

    def close(self):
        pass


def make(i: int) -> PredictionEvent:
    return PredictionEvent(
        model_id=MODELS[i & 3], model_version="2024-06-01", input_uri=f"s3://bench/inputs/{i}.jpg", content_hash=f"sha256:{i}",
        numeric_features={"width": 640, "height": 480, "brightness": (i % 97) / 97, "latencyMs": 12}, categorical_features={"region": "eu-west-1"},
        embedding=EMBEDDING, predicted_label="cat", class_probabilities={"cat": 0.8, "dog": 0.2}, confidence=0.8,
    )


def main() -> None:
    r = PredictionRecorder(Discard(), "bench/python", max_buffer_size=50_000)
    base: list[float] = []
    rec: list[float] = []
    i = 0
    for chunk in range(N // CHUNK + 20):
        t0 = time.perf_counter_ns()
        for _ in range(CHUNK):
            make(i)
            i += 1
        t1 = time.perf_counter_ns()
        for _ in range(CHUNK):
            r.record(make(i))
            i += 1
        t2 = time.perf_counter_ns()
        if chunk >= 20:  # warm-up
            base.append((t1 - t0) / CHUNK)
            rec.append((t2 - t1) / CHUNK)
        time.sleep(0)
    r.flush(30)
    r.close()
    s = r.stats()
    per_call = [b - a for a, b in zip(base, rec)]
    print(json.dumps({"baseline_ns_mean": statistics.mean(base), "with_record_ns_mean": statistics.mean(rec), "record_ns_p50": statistics.median(per_call), "record_ns_mean": statistics.mean(per_call), "dropped": s.dropped, "sent": s.sent}))


main()
