"""Reference values for gold-accuracy.spec.ts and label-issues.spec.ts.

Run: python3 gold_and_issues_reference.py   (writes label-issues.reference.json)
Versions used: Python 3.11.7, numpy 2.4.6, statsmodels 0.15.0, cleanlab 2.9.0.
"""
import json
import warnings

import numpy as np
import cleanlab
from cleanlab.count import compute_confident_joint, get_confident_thresholds
from cleanlab.filter import find_label_issues
from statsmodels.stats.proportion import proportion_confint

warnings.filterwarnings("ignore")
print("versions", np.__version__, cleanlab.__version__)

# ---- Wilson intervals (statsmodels) ----
for k, n in [(7, 10), (0, 5), (5, 5), (42, 50), (1, 3)]:
    lo, hi = proportion_confint(k, n, alpha=0.05, method="wilson")
    print("wilson", k, n, repr(float(lo)), repr(float(hi)))

# ---- cleanlab, filter_by='confident_learning' ----
out = {"generator": "libs/qa-metrics/reference/gold_and_issues_reference.py",
       "versions": {"numpy": np.__version__, "cleanlab": cleanlab.__version__}, "cases": []}
rng = np.random.default_rng(2021)
for name, n, K, noise in [("n60_k3", 60, 3, 0.2), ("n120_k4", 120, 4, 0.3), ("n40_k2", 40, 2, 0.25)]:
    true = rng.integers(0, K, size=n)
    logits = rng.normal(0, 1, size=(n, K)); logits[np.arange(n), true] += 2.0
    probs = np.exp(logits); probs /= probs.sum(1, keepdims=True)
    probs = np.round(probs, 6); probs /= probs.sum(1, keepdims=True)
    labels = np.where(rng.random(n) < noise, rng.integers(0, K, size=n), true)
    mask = find_label_issues(labels, probs, filter_by="confident_learning", n_jobs=1)
    ranked = find_label_issues(labels, probs, filter_by="confident_learning", return_indices_ranked_by="self_confidence", n_jobs=1)
    cj = compute_confident_joint(labels, probs, calibrate=False)
    out["cases"].append({"name": name, "labels": labels.tolist(), "predProbs": probs.tolist(),
                         "isIssue": mask.tolist(), "rankedBySelfConfidence": ranked.tolist(),
                         "thresholds": get_confident_thresholds(labels, probs).tolist(),
                         "confidentJointUncalibrated": cj.tolist()})
    print(name, "confident_learning issues", int(mask.sum()))
with open("label-issues.reference.json", "w") as f:
    json.dump(out, f)
print("wrote label-issues.reference.json")
