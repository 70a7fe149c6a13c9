"""Reference values for cbpe.spec.ts: NannyML's CBPE on generated data.

NannyML 0.13.1 (PyPI) `nannyml.CBPE(metrics=['accuracy'], chunk_size=500)` fitted on a reference
set and run on an analysis set whose score distribution shifts. The data are generated with
integer arithmetic and +, *, / only, so cbpe.spec.ts rebuilds exactly the same rows in TypeScript;
only NannyML's estimates travel in the JSON. The model's reported probabilities are distorted
(squared, renormalised), so NannyML's calibration check decides to calibrate every class; the
script asserts that, since the TypeScript side always calibrates.

Run (any venv): pip install nannyml==0.13.1 statsmodels && python3 cbpe_reference.py
Versions used: Python 3.11.7, nannyml 0.13.1, numpy 2.4.6, pandas 3.1.1, scikit-learn 1.9.1,
statsmodels 0.15.0. NannyML's `to_df()` lists the 4 reference chunks, then the 6 analysis chunks.
"""
import json
from pathlib import Path

import nannyml as nml
import numpy as np
import pandas as pd
from nannyml.calibration import NoopCalibrator


def u(i, a, c, m):
    return ((a * i + c) % m) / m


def binary_rows(n, offset, shift):
    rows = []
    for i in range(offset, offset + n):
        s = 0.05 + 0.9 * (u(i, 7919, 13, 10007) * (1 - shift) + shift * u(i, 104729, 7, 10009))
        truth = 1 if u(i, 15485863, 3, 10039) < s else 0
        p = s * s
        rows.append((p, 1 if p >= 0.5 else 0, truth))
    return rows


def multiclass_rows(n, offset, shift):
    rows = []
    for i in range(offset, offset + n):
        w = [u(i, 7919, 13, 10007) + 0.05, u(i, 104729, 7, 10009) + 0.05 + shift, u(i, 1299709, 11, 10037) + 0.05]
        total = w[0] + w[1] + w[2]
        q = [w[0] / total, w[1] / total, w[2] / total]
        r = u(i, 15485863, 3, 10039)
        truth = 0 if r < q[0] else (1 if r < q[0] + q[1] else 2)
        sq = [q[0] * q[0], q[1] * q[1], q[2] * q[2]]
        t2 = sq[0] + sq[1] + sq[2]
        p = [sq[0] / t2, sq[1] / t2, sq[2] / t2]
        pred = max(range(3), key=lambda c: (p[c], -c))
        rows.append((p, pred, truth))
    return rows


def estimates(result):
    df = result.to_df()
    return [float(v) for v in df[("accuracy", "value")]]


out = {}

ref = binary_rows(2000, 0, 0.0)
ana = binary_rows(3000, 2000, 0.6)
frame = lambda rows: pd.DataFrame({"p": [r[0] for r in rows], "y_pred": [r[1] for r in rows], "y": [r[2] for r in rows]})
est = nml.CBPE(problem_type="classification_binary", y_pred_proba="p", y_pred="y_pred", y_true="y", metrics=["accuracy"], chunk_size=500)
est.fit(frame(ref))
assert est.needs_calibration, "NannyML decided not to calibrate the binary set"
res = est.estimate(frame(ana).drop(columns=["y"]))
out["binary"] = {"reference": 2000, "analysis": 3000, "shift": 0.6, "chunkSize": 500, "accuracy": estimates(res)}

ref = multiclass_rows(2000, 0, 0.0)
ana = multiclass_rows(3000, 2000, 0.8)
def mframe(rows):
    return pd.DataFrame({"p_a": [r[0][0] for r in rows], "p_b": [r[0][1] for r in rows], "p_c": [r[0][2] for r in rows],
                         "y_pred": [["a", "b", "c"][r[1]] for r in rows], "y": [["a", "b", "c"][r[2]] for r in rows]})
est = nml.CBPE(problem_type="classification_multiclass", y_pred_proba={"a": "p_a", "b": "p_b", "c": "p_c"}, y_pred="y_pred", y_true="y", metrics=["accuracy"], chunk_size=500)
est.fit(mframe(ref))
assert not any(isinstance(c, NoopCalibrator) for c in est._calibrators.values()), "NannyML left a class uncalibrated"
res = est.estimate(mframe(ana).drop(columns=["y"]))
out["multiclass"] = {"reference": 2000, "analysis": 3000, "shift": 0.8, "chunkSize": 500, "accuracy": estimates(res)}

# Realised accuracy of the analysis chunks, to show the estimate tracks a real change.
for name, rows in (("binary", binary_rows(3000, 2000, 0.6)), ("multiclass", multiclass_rows(3000, 2000, 0.8))):
    out[name]["realised"] = [float(np.mean([r[1] == r[2] for r in rows[k:k + 500]])) for k in range(0, 3000, 500)]

Path(__file__).with_name("cbpe.reference.json").write_text(json.dumps(out, indent=1) + "\n")
print(json.dumps(out, indent=1))
