"""Reference values for percent-agreement, cohen-kappa, fleiss-kappa and krippendorff-alpha specs.

Run: python3 agreement_reference.py
Versions used: Python 3.11.7, numpy 2.4.6, scikit-learn 1.9.1, statsmodels 0.15.0, krippendorff 0.9.0.
"""
import numpy as np
import krippendorff
import sklearn
import statsmodels
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import fleiss_kappa, aggregate_raters

print("versions", np.__version__, sklearn.__version__, statsmodels.__version__, krippendorff.__version__ if hasattr(krippendorff, "__version__") else "0.9.0")

# ---- Cohen's kappa (scikit-learn) ----
y1 = ["negative", "positive", "negative", "neutral", "positive"]
y2 = ["negative", "positive", "negative", "neutral", "negative"]
print("sklearn docstring", repr(cohen_kappa_score(y1, y2)))

r1 = [1, 2, 3, 4, 5, 3, 2, 1, 4, 4, 5, 2, 3, 3, 1, 2, 5, 4, 3, 2]
r2 = [1, 3, 3, 4, 4, 3, 2, 2, 5, 4, 5, 1, 3, 2, 1, 2, 4, 4, 3, 3]
for w in [None, "linear", "quadratic"]:
    print("ordinal", w, repr(cohen_kappa_score(r1, r2, weights=w)))
# custom label order and subset (pairs with label 5 are dropped)
for w in [None, "linear", "quadratic"]:
    print("labels=[4,3,2,1]", w, repr(cohen_kappa_score(r1, r2, weights=w, labels=[4, 3, 2, 1])))
sw = [1, 2, 1, 0.5, 1, 1, 3, 1, 1, 1, 2, 1, 1, 1, 1, 1, 0.25, 1, 1, 1]
print("sample_weight quadratic", repr(cohen_kappa_score(r1, r2, weights="quadratic", sample_weight=sw)))
s1 = ["cat", "dog", "dog", "bird", "cat", "cat", "bird", "dog"]
s2 = ["cat", "dog", "cat", "bird", "cat", "dog", "bird", "dog"]
print("strings", repr(cohen_kappa_score(s1, s2)), repr(cohen_kappa_score(s1, s2, weights="linear")))

# ---- Fleiss' kappa (statsmodels) ----
wiki = np.array([
    [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]])
print("fleiss wikipedia", repr(fleiss_kappa(wiki)), "randolph", repr(fleiss_kappa(wiki, method="randolph")))
# Fleiss (1971) psychiatric diagnoses, 30 patients x 6 raters (R irr `diagnoses`, as in statsmodels' test suite)
diagnoses = np.array([
    [4, 4, 4, 4, 4, 4], [2, 2, 2, 5, 5, 5], [2, 3, 3, 3, 3, 5], [5, 5, 5, 5, 5, 5], [2, 2, 2, 4, 4, 4],
    [1, 1, 3, 3, 3, 3], [3, 3, 3, 3, 5, 5], [1, 1, 3, 3, 3, 4], [1, 1, 4, 4, 4, 4], [5, 5, 5, 5, 5, 5],
    [1, 4, 4, 4, 4, 4], [1, 2, 4, 4, 4, 4], [2, 2, 2, 3, 3, 3], [1, 4, 4, 4, 4, 4], [2, 2, 4, 4, 4, 5],
    [3, 3, 3, 3, 3, 5], [1, 1, 1, 4, 5, 5], [1, 1, 1, 1, 1, 2], [2, 2, 4, 4, 4, 4], [1, 3, 3, 5, 5, 5],
    [5, 5, 5, 5, 5, 5], [2, 4, 4, 4, 4, 4], [2, 2, 4, 5, 5, 5], [1, 1, 4, 4, 4, 4], [1, 4, 4, 4, 4, 5],
    [2, 2, 2, 2, 2, 4], [1, 1, 1, 1, 5, 5], [2, 2, 4, 4, 4, 4], [1, 3, 3, 3, 3, 3], [5, 5, 5, 5, 5, 5]])
table, cats = aggregate_raters(diagnoses)
print("fleiss diagnoses", repr(fleiss_kappa(table)), "randolph", repr(fleiss_kappa(table, method="randolph")))
print("fleiss [[7,1],[3,5]]", repr(fleiss_kappa([[7, 1], [3, 5]])), repr(fleiss_kappa([[7, 1], [3, 5]], method="randolph")))

# ---- percent agreement (Fleiss' P-bar, computed from the statsmodels formula) ----
def pbar(t):
    t = np.asarray(t, float); n = t.sum(1)
    return float(((t * (t - 1)).sum(1) / (n * (n - 1)))[n >= 2].mean())
print("P-bar wikipedia", repr(pbar(wiki)), "P-bar diagnoses", repr(pbar(table)))

# ---- Krippendorff's alpha (krippendorff package) ----
nan = np.nan
k2011 = [  # Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", sec. E: 4 observers x 12 units
    [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
    [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],
]
for lvl in ["nominal", "ordinal", "interval", "ratio"]:
    print("alpha k2011", lvl, repr(krippendorff.alpha(reliability_data=k2011, level_of_measurement=lvl)))

rng = np.random.default_rng(20240611)
truth = rng.integers(0, 6, size=15)
data = np.where(rng.random((5, 15)) < 0.7, truth, rng.integers(0, 6, size=(5, 15))).astype(float)
data[rng.random((5, 15)) < 0.25] = nan
data[1:, 14] = nan  # unit 14 has a single value: not pairable, must be ignored
data = data * 1.5 + 0.5  # non-integer values
print("random data", [[None if np.isnan(v) else float(v) for v in row] for row in data])
for lvl in ["nominal", "ordinal", "interval", "ratio"]:
    print("alpha random", lvl, repr(krippendorff.alpha(reliability_data=data, level_of_measurement=lvl)))
sdata = np.array([["a", "b", "b", "c", "nan", "a"], ["a", "b", "c", "c", "a", "nan"], ["b", "b", "c", "c", "a", "a"]])
print("alpha strings nominal", repr(krippendorff.alpha(reliability_data=sdata, level_of_measurement="nominal")))
print("alpha strings ordinal c<b<a", repr(krippendorff.alpha(reliability_data=sdata, level_of_measurement="ordinal", value_domain=["c", "b", "a"])))
