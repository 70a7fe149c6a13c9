"""
What the Python SDK's PredictionRecorder.record() costs the caller's thread, measured as
record-overhead.ts measures the TypeScript one: every call timed alone with perf_counter_ns
(the timer's own cost, timed the same way around nothing, is subtracted), over realistic
events built beforehand, untimed, 1,000 at a time; between those batches the loop waits,
untimed, until the sender has taken them (nothing dropped). The recorder's transport discards
batches (no broker): the caller-side cost only. The sender thread still validates and encodes
in this process and takes the GIL while it does, which shows in the mean and p99, not in the
p50. Also prints the sender's encoding cost per event (encode_prediction alone). Prints the
figures, then one line `BENCH_RESULT {json}` for run.sh.
"""

import json
import platform
import statistics
import sys
import time

import google.protobuf

from labelloop import PredictionEvent, PredictionRecorder, encode_prediction

N = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
WARMUP = 20_000
CHUNK = 1000
EMBEDDING = [i / 16 for i in range(16)]
MODELS = ["bench-model-a", "bench-model-b", "bench-model-c", "bench-model-d"]


class Discard:
    def send(self, batch):
        return []

    def close(self):
        pass


def make(i: int) -> PredictionEvent:
    """A realistic prediction as a service builds it (the id and timestamp left to the SDK), as in record-overhead.ts."""
    return PredictionEvent(
        model_id=MODELS[i & 3], model_version="2024-06-01", input_uri=f"s3://bench/inputs/{i}.jpg", content_hash=f"sha256:{i}",
        numeric_features={"width": 640, "height": 480, "brightness": (i % 97) / 97, "latencyMs": 12}, categorical_features={"region": "eu-west-1"},
        embedding=EMBEDDING, predicted_label="cat", class_probabilities={"cat": 0.8, "dog": 0.2}, confidence=0.8,
    )


def timer_cost() -> float:
    clock = time.perf_counter_ns
    xs = []
    for _ in range(100_000):
        t = clock()
        xs.append(clock() - t)
    return statistics.median(xs)


def main() -> None:
    clock = time.perf_counter_ns
    overhead = timer_cost()
    r = PredictionRecorder(Discard(), "bench/python", max_buffer_size=50_000)
    per_call: list[int] = []
    i = 0
    for chunk in range((N + WARMUP) // CHUNK):
        events = [make(i + k) for k in range(CHUNK)]
        i += CHUNK
        times = []
        for e in events:
            t = clock()
            r.record(e)
            times.append(clock() - t)
        if chunk >= WARMUP // CHUNK:
            per_call.extend(times)
        r.flush(30)  # untimed: let the sender catch up
    r.close()
    s = r.stats()
    xs = sorted(max(0.0, x - overhead) for x in per_call)
    p50, p99, mean = xs[len(xs) // 2], xs[int(len(xs) * 0.99)], statistics.mean(xs)
    enc = [make(k) for k in range(20_000)]
    t = clock()
    for e in enc:
        encode_prediction(e, "bench/python")
    encode_ns = (clock() - t) / len(enc)
    print(f"CPython {platform.python_version()}, protobuf {google.protobuf.__version__}; {len(xs)} calls timed alone (timer's own {overhead:.0f} ns subtracted)")
    print(f"   record() p50 {p50:.0f} ns   p99 {p99:.0f} ns   mean {mean:.0f} ns")
    print(f"   sender's encoding per event (encode_prediction: id, timestamp, validation, protobuf, headers): {encode_ns / 1000:.1f} µs")
    print(f"   recorder stats: recorded {s.recorded}, sent {s.sent}, dropped {s.dropped}, rejected {s.rejected}")
    print("BENCH_RESULT " + json.dumps({"python_record_ns": {"p50": p50, "p99": p99, "mean": mean}, "python_encode_ns": encode_ns, "python_dropped": s.dropped}))
    if s.dropped or s.sent != s.recorded:
        sys.exit(1)


main()
