"""Reference values for span-box.reference.spec.ts: span P/R/F1 from seqeval and nervaluate, box
IoU from pycocotools and box matchings from scipy's linear_sum_assignment on pycocotools' IoUs.

The inputs are generated here (random.Random(20261206)) and written into the JSON with the
libraries' answers, so the TypeScript side reads the same inputs.

Spans: 60 documents, labels PER/LOC/ORG, character offsets [start, end). Gold spans never
overlap (gaps of 9-14 characters); each prediction is the gold span copied, relabelled, with a
boundary moved by 1-2 characters, or dropped, plus spurious 2-character spans in the middle of
gaps, so predictions never overlap either: that is where seqeval's BIO tags (one tag per
character) and nervaluate's entity matching are both defined one-to-one.
- seqeval 1.2.2, mode='strict', scheme=IOB2: micro precision/recall/F1 over all documents and
  per label (classification_report) = spanPRF 'exact' summed over the documents.
- nervaluate 1.2.1 (dict loader, inclusive end = end - 1): per document, 'strict' correct
  counts = spanPRF 'exact' tp; 'ent_type' correct counts (overlap and same type) = spanPRF
  'overlap' tp (each prediction overlaps at most its own gold span, so matchings are unique).

Boxes: 40 images, 0-6 gold boxes (integer pixels, labels cat/dog), predictions jittered by up to
8 px, some dropped, some spurious.
- pycocotools 2.0.11 `mask.iou(pred, gold, iscrowd=0)` on [x, y, w, h] boxes = boxIoU matrix.
- scipy 1.17.1 `linear_sum_assignment(W, maximize=True)`, W = IoU where IoU >= threshold (and,
  with same_label, equal labels) else 0, pairs with W > 0 kept: the number of matches and the
  total IoU = matchBoxes (thresholds 0.5 and 0.3; with and without requireSameLabel).

Run: pip install seqeval==1.2.2 nervaluate==1.2.1 pycocotools==2.0.11 && python3 span_box_reference.py
Versions used: Python 3.11.7, seqeval 1.2.2, nervaluate 1.2.1, pycocotools 2.0.11, numpy 2.4.6,
scipy 1.17.1 (printed into the JSON as well).
"""
import json
import random
import sys
from importlib.metadata import version
from pathlib import Path

import numpy as np
from nervaluate import Evaluator
from pycocotools import mask as mask_utils
from scipy.optimize import linear_sum_assignment
from seqeval.metrics import classification_report, f1_score, precision_score, recall_score
from seqeval.scheme import IOB2

rng = random.Random(20261206)
LABELS = ["PER", "LOC", "ORG"]


def gen_doc():
    gold, pred = [], []
    pos = rng.randint(0, 4)
    for _ in range(rng.randint(0, 6)):
        length = rng.randint(1, 6)
        s, e = pos, pos + length
        label = rng.choice(LABELS)
        gold.append({"start": s, "end": e, "label": label})
        r = rng.random()
        if r < 0.5:
            pred.append({"start": s, "end": e, "label": label})
        elif r < 0.65:
            pred.append({"start": s, "end": e, "label": rng.choice([l for l in LABELS if l != label])})
        elif r < 0.8:
            d = rng.choice([-2, -1, 1, 2])
            if rng.random() < 0.5 and s + d >= 0 and s + d < e:
                pred.append({"start": s + d, "end": e, "label": label})
            elif e + d > s:
                pred.append({"start": s, "end": e + d, "label": label})
        gap = rng.randint(9, 14)
        if rng.random() < 0.25:
            c = e + gap // 2
            pred.append({"start": c - 1, "end": c + 1, "label": rng.choice(LABELS)})
        pos = e + gap
    return {"length": pos + 3, "gold": gold, "pred": sorted(pred, key=lambda x: (x["start"], x["end"]))}


def bio(spans, n):
    tags = ["O"] * n
    for sp in spans:
        for i in range(sp["start"], sp["end"]):
            assert tags[i] == "O", "spans overlap"
            tags[i] = ("B-" if i == sp["start"] else "I-") + sp["label"]
    return tags


def inclusive(spans):
    return [{"label": s["label"], "start": s["start"], "end": s["end"] - 1} for s in spans]


docs = [gen_doc() for _ in range(60)]
y_true = [bio(d["gold"], d["length"]) for d in docs]
y_pred = [bio(d["pred"], d["length"]) for d in docs]
report = classification_report(y_true, y_pred, mode="strict", scheme=IOB2, output_dict=True, zero_division=0)
seqeval_out = {
    "precision": float(precision_score(y_true, y_pred, mode="strict", scheme=IOB2)),
    "recall": float(recall_score(y_true, y_pred, mode="strict", scheme=IOB2)),
    "f1": float(f1_score(y_true, y_pred, mode="strict", scheme=IOB2)),
    "byLabel": {l: {k: float(report[l][k]) for k in ("precision", "recall", "f1-score", "support")} for l in LABELS if l in report},
}
for d in docs:
    if not d["gold"] and not d["pred"]:
        d["nervaluate"] = {"strict": 0, "ent_type": 0}
        continue
    res = Evaluator([inclusive(d["gold"])], [inclusive(d["pred"])], tags=LABELS, loader="dict").evaluate()["overall"]
    d["nervaluate"] = {"strict": int(res["strict"].correct), "ent_type": int(res["ent_type"].correct)}

# ---- boxes ----
images = []
for _ in range(40):
    gold, pred = [], []
    for _ in range(rng.randint(0, 6)):
        b = [rng.randint(0, 200), rng.randint(0, 200), rng.randint(5, 60), rng.randint(5, 60)]
        label = rng.choice(["cat", "dog"])
        gold.append({"bbox": b, "label": label})
        if rng.random() < 0.8:
            j = [b[0] + rng.randint(-8, 8), b[1] + rng.randint(-8, 8), max(1, b[2] + rng.randint(-8, 8)), max(1, b[3] + rng.randint(-8, 8))]
            pred.append({"bbox": j, "label": label if rng.random() < 0.85 else ("dog" if label == "cat" else "cat")})
    for _ in range(rng.randint(0, 2)):
        pred.append({"bbox": [rng.randint(0, 200), rng.randint(0, 200), rng.randint(5, 60), rng.randint(5, 60)], "label": rng.choice(["cat", "dog"])})
    rng.shuffle(pred)
    if gold and pred:
        iou = mask_utils.iou([p["bbox"] for p in pred], [g["bbox"] for g in gold], [0] * len(gold))
        iou = np.asarray(iou, dtype=float).reshape(len(pred), len(gold))
    else:
        iou = np.zeros((len(pred), len(gold)))
    matchings = []
    for thr in (0.5, 0.3):
        for same in (False, True):
            w = np.where((iou >= thr) & (iou > 0), iou, 0.0)
            if same:
                w = w * np.array([[1.0 if p["label"] == g["label"] else 0.0 for g in gold] for p in pred]).reshape(len(pred), len(gold))
            m, total = 0, 0.0
            if w.size:
                r, c = linear_sum_assignment(w, maximize=True)
                kept = [(i, j) for i, j in zip(r, c) if w[i, j] > 0]
                m, total = len(kept), float(sum(w[i, j] for i, j in kept))
            matchings.append({"threshold": thr, "sameLabel": same, "matches": m, "totalIoU": total})
    images.append({"pred": pred, "gold": gold, "iou": iou.tolist(), "matchings": matchings})

out = {
    "generator": "libs/qa-metrics/reference/span_box_reference.py",
    "versions": {"python": sys.version.split()[0], **{p: version(p) for p in ("seqeval", "nervaluate", "pycocotools", "numpy", "scipy")}},
    "spans": {"documents": docs, "seqeval": seqeval_out},
    "boxes": images,
}
Path(__file__).with_name("span-box.reference.json").write_text(json.dumps(out, indent=1) + "\n")
print("wrote span-box.reference.json", out["versions"])
