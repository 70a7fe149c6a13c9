"""Reference values for dawid-skene.spec.ts.

Two independent implementations on one fixed data set (25 items, 5 annotators, 3 classes):
  1. crowd-kit 1.4.2 `crowdkit.aggregation.DawidSkene` (Toloka's published implementation; its
     M-step clips counts at 1e-10, matched here by `smoothing: 1e-10`);
  2. a short vectorised numpy EM written for this reference, with additive smoothing 0.01
     (the TypeScript default) — same schedule: soft-majority-vote init, M, then (E, M) x n.

Run: python3 dawid_skene_reference.py
Versions used: Python 3.11.7, numpy 2.4.6, pandas 3.1.1, crowd-kit 1.4.2.
"""
import json
import warnings

import numpy as np
import pandas as pd
from crowdkit.aggregation import DawidSkene

warnings.filterwarnings("ignore")
CLASSES = ["bird", "cat", "dog"]
rng = np.random.default_rng(1979)
acc = [0.9, 0.75, 0.6, 0.45, 0.34]
truth = rng.integers(0, 3, size=25)
rows = []
for i in range(25):
    for w in range(5):
        if rng.random() < 0.75:
            lab = truth[i] if rng.random() < acc[w] else rng.integers(0, 3)
            rows.append({"task": f"t{i:02d}", "worker": f"w{w}", "label": CLASSES[lab]})
df = pd.DataFrame(rows)
out = {"generator": "libs/qa-metrics/reference/dawid_skene_reference.py",
       "versions": {"numpy": np.__version__, "pandas": pd.__version__, "crowd-kit": "1.4.2"},
       "classes": CLASSES, "data": [[r["task"], r["worker"], r["label"]] for r in rows],
       "truth": [CLASSES[t] for t in truth], "crowdkit": {}, "numpy": {}}
WORKERS = sorted(df.worker.unique())
TASKS = sorted(df.task.unique())


def crowdkit(n_iter):
    ds = DawidSkene(n_iter=n_iter, tol=-np.inf).fit(df)
    post = ds.probas_.loc[TASKS, CLASSES].to_numpy()
    # errors_.loc[worker] is indexed by observed label, columns = true label; transpose to [true][observed]
    conf = {w: ds.errors_.loc[w].reindex(CLASSES).fillna(0)[CLASSES].to_numpy().T.tolist() for w in WORKERS}
    return {"posterior": post.tolist(), "priors": ds.priors_[CLASSES].tolist(), "confusion": conf,
            "labels": ds.labels_.loc[TASKS].tolist()}


def numpy_em(s, n_iter):
    ti = df.task.map({t: i for i, t in enumerate(TASKS)}).to_numpy()
    wi = df.worker.map({w: i for i, w in enumerate(WORKERS)}).to_numpy()
    li = df.label.map({c: i for i, c in enumerate(CLASSES)}).to_numpy()
    N, W, K = len(TASKS), len(WORKERS), len(CLASSES)
    Y = np.zeros((len(df), K)); Y[np.arange(len(df)), li] = 1      # one-hot answers
    T = np.zeros((N, K)); np.add.at(T, ti, Y); T /= T.sum(1, keepdims=True)  # soft majority vote

    def m_step(T):
        pri = (T.sum(0) + s) / (N + K * s)
        cnt = np.full((W, K, K), s); np.add.at(cnt, wi, T[ti][:, :, None] * Y[:, None, :])
        return pri, cnt / cnt.sum(2, keepdims=True)

    pri, conf = m_step(T)
    ll = None
    for _ in range(n_iter):
        logp = np.tile(np.log(pri), (N, 1))
        np.add.at(logp, ti, np.log(conf[wi, :, li]))
        m = logp.max(1, keepdims=True)
        ll = float((m[:, 0] + np.log(np.exp(logp - m).sum(1))).sum())
        T = np.exp(logp - m); T /= T.sum(1, keepdims=True)
        pri, conf = m_step(T)
    accuracy = [float(T[ti[wi == w], li[wi == w]].mean()) for w in range(W)]
    return {"posterior": T.tolist(), "priors": pri.tolist(), "confusion": {w: conf[k].tolist() for k, w in enumerate(WORKERS)},
            "logLikelihood": ll, "accuracy": accuracy}


for n in (3, 100):
    out["crowdkit"][f"n{n}"] = crowdkit(n)
    out["numpy"][f"n{n}"] = numpy_em(0.01, n)
with open("dawid-skene.reference.json", "w") as f:
    json.dump(out, f, indent=1)
print("wrote dawid-skene.reference.json")
