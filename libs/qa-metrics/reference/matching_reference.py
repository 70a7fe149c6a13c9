"""Reference values for hungarian.spec.ts, box-matching.spec.ts and span-prf.spec.ts.

Run: python3 matching_reference.py
Versions used: Python 3.11.7, numpy 2.4.6, scipy 1.17.1, shapely 2.x (printed below).
"""
from collections import Counter

import numpy as np
import scipy
import shapely
from scipy.optimize import linear_sum_assignment
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_bipartite_matching
from shapely.geometry import box as sbox

print("versions", np.__version__, scipy.__version__, shapely.__version__)

# ---- linear_sum_assignment ----
rng = np.random.default_rng(7)
for name, shape in [("square5", (5, 5)), ("wide4x6", (4, 6)), ("tall6x3", (6, 3))]:
    c = np.round(rng.random(shape) * 100, 2)
    for maximize in (False, True):
        r, k = linear_sum_assignment(c, maximize=maximize)
        print(name, "maximize" if maximize else "minimize", c.tolist(), "rows", r.tolist(), "cols", k.tolist(), "total", repr(float(c[r, k].sum())))

# ---- box IoU via shapely polygons (independent geometry) ----
def iou(a, b):
    pa, pb = sbox(*a), sbox(*b)
    u = pa.union(pb).area
    return 0.0 if u == 0 else pa.intersection(pb).area / u

pairs = [
    ((0, 0, 2, 2), (1, 1, 3, 3)),
    ((0, 0, 10, 10), (2, 3, 5, 7)),
    ((0, 0, 1, 1), (1, 0, 2, 1)),
    ((12.5, 7.25, 40.0, 33.5), (20.0, 3.0, 51.75, 30.125)),
    ((0.1, 0.2, 0.6, 0.9), (0.15, 0.1, 0.65, 0.8)),
]
for a, b in pairs:
    print("iou", a, b, repr(iou(a, b)))

# ---- optimal box matching: maximise total IoU over pairs with IoU >= threshold ----
A = [(10, 10, 50, 50), (60, 10, 100, 50), (10, 60, 50, 100), (200, 200, 220, 220), (55, 55, 95, 95)]
B = [(12, 8, 52, 48), (58, 12, 98, 52), (40, 40, 80, 80), (12, 62, 48, 104), (300, 300, 310, 310), (57, 14, 101, 49)]
M = np.array([[iou(a, b) for b in B] for a in A])
print("iou matrix", M.round(6).tolist())
for thr in (0.5, 0.1):
    W = np.where(M >= thr, M, 0.0)
    r, k = linear_sum_assignment(W, maximize=True)
    keep = W[r, k] > 0
    matches = list(zip(r[keep].tolist(), k[keep].tolist()))
    total = float(W[r, k].sum())
    n_un = len(A) + len(B) - 2 * len(matches)
    print("match thr", thr, matches, "total", repr(total), "agreement", repr(total / (len(matches) + n_un)))

# A case where greedy (highest IoU first) is not optimal:
# A0 overlaps B0 strongly and B1 moderately; A1 overlaps only B0.
G_A = [(0, 0, 10, 10), (8, 0, 18, 10)]
G_B = [(2, 0, 12, 10), (-3, 0, 7, 10)]
GM = np.array([[iou(a, b) for b in G_B] for a in G_A])
r, k = linear_sum_assignment(GM, maximize=True)
print("greedy-trap matrix", GM.tolist(), "optimal", list(zip(r.tolist(), k.tolist())), "total", repr(float(GM[r, k].sum())))

# ---- spans: exact = multiset intersection; overlap = maximum bipartite matching ----
pred = [(0, 5, "PER"), (10, 20, "ORG"), (10, 20, "ORG"), (25, 30, "LOC"), (40, 60, "PER"), (70, 75, "PER"), (80, 82, "MISC")]
gold = [(0, 5, "PER"), (10, 20, "ORG"), (26, 30, "LOC"), (40, 48, "PER"), (50, 58, "PER"), (70, 75, "LOC"), (90, 95, "MISC")]

def prf(tp, np_, ng):
    p = tp / np_ if np_ else (1.0 if ng == 0 else 0.0)
    r = tp / ng if ng else (1.0 if np_ == 0 else 0.0)
    f = 2 * tp / (np_ + ng) if np_ + ng else 1.0
    return tp, p, r, f

tp_exact = sum((Counter(pred) & Counter(gold)).values())
print("exact", prf(tp_exact, len(pred), len(gold)))
adj = np.array([[1 if (p[2] == g[2] and p[0] < g[1] and g[0] < p[1]) else 0 for g in gold] for p in pred])
m = maximum_bipartite_matching(csr_matrix(adj), perm_type="column")
tp_overlap = int((m >= 0).sum())
print("overlap", prf(tp_overlap, len(pred), len(gold)))
for lab in sorted({s[2] for s in pred + gold}):
    P = [s for s in pred if s[2] == lab]; G = [s for s in gold if s[2] == lab]
    te = sum((Counter(P) & Counter(G)).values())
    if P and G:
        a = np.array([[1 if (p[0] < g[1] and g[0] < p[1]) else 0 for g in G] for p in P])
        to = int((maximum_bipartite_matching(csr_matrix(a), perm_type="column") >= 0).sum())
    else:
        to = 0
    print("label", lab, "exact", prf(te, len(P), len(G)), "overlap", prf(to, len(P), len(G)))
