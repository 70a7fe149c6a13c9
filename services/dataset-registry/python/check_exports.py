"""Loads a registry export with the libraries users load it with and prints what they read, as JSON.

Usage: python check_exports.py <export dir>   (a version's folder: coco.json, hf/, spans.jsonl, ...)
Run by src/exports/readers.integration-spec.ts, which compares the output with the version's
records. Libraries (requirements.txt, through venv.sh): pycocotools (COCO), datasets (the
Hugging Face folder, and the span and preference JSONL via load_dataset("json")), pyarrow
(data.parquet) and pandas (data.csv).
"""
import json
import os
import sys
import tempfile
from pathlib import Path

# No network and no shared cache: everything is read from the export folder.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("HF_HOME", tempfile.mkdtemp(prefix="labelloop-hf-"))
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

import datasets  # noqa: E402
import pandas  # noqa: E402
import pyarrow.parquet  # noqa: E402
import pycocotools  # noqa: E402
from pycocotools.coco import COCO  # noqa: E402
from pycocotools.cocoeval import COCOeval  # noqa: E402

datasets.disable_progress_bars()
datasets.logging.set_verbosity_error()


def coco_summary(file):
    coco = COCO(str(file))
    images = []
    for img in coco.loadImgs(sorted(coco.getImgIds())):
        anns = coco.loadAnns(coco.getAnnIds(imgIds=[img["id"]]))
        images.append(
            {
                "item_id": img["labelloop_item_id"],
                "file_name": img["file_name"],
                "width": img.get("width"),
                "height": img.get("height"),
                "annotations": [{"category": coco.loadCats(a["category_id"])[0]["name"], "bbox": a.get("bbox")} for a in anns],
            }
        )
    out = {"images": images, "categories": [c["name"] for c in coco.loadCats(coco.getCatIds())]}
    # The ground truth evaluated against itself (as detections with score 1) must give AP 1:
    # the file is usable by COCOeval, not only parseable.
    boxed = [i["id"] for i in coco.loadImgs(coco.getImgIds()) if all("bbox" in a for a in coco.loadAnns(coco.getAnnIds(imgIds=[i["id"]]))) and coco.getAnnIds(imgIds=[i["id"]])]
    if boxed:
        dets = [{"image_id": a["image_id"], "category_id": a["category_id"], "bbox": a["bbox"], "score": 1.0} for a in coco.loadAnns(coco.getAnnIds(imgIds=boxed))]
        ev = COCOeval(coco, coco.loadRes(dets), "bbox")
        ev.params.imgIds = boxed
        ev.params.areaRng = [[0, 1e10]] * 4  # every box counts, whatever its size
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
        out["self_ap"] = round(float(ev.stats[0]), 6)
    return out


def dataset_summary(ds):
    return {
        split: {"num_rows": d.num_rows, "features": {k: str(v) for k, v in d.features.items()}, "rows": d.to_list()}
        for split, d in ds.items()
    }


def main(root):
    root = Path(root)
    # The libraries print progress to stdout: keep stdout for the JSON alone.
    real_stdout, sys.stdout = sys.stdout, sys.stderr
    out = {"versions": {"python": sys.version.split()[0], "pycocotools": getattr(pycocotools, "__version__", "2.0.11"), "datasets": datasets.__version__}}
    if (root / "coco.json").exists():
        out["coco"] = coco_summary(root / "coco.json")
    if (root / "hf" / "README.md").exists():
        out["hf"] = dataset_summary(datasets.load_dataset(str(root / "hf")))
    if (root / "data.parquet").exists():
        out["parquet"] = pyarrow.parquet.read_table(root / "data.parquet").to_pylist()
    if (root / "data.csv").exists():
        out["csv"] = pandas.read_csv(root / "data.csv", dtype=str, keep_default_na=False).to_dict("records")
    for name in ("spans", "preference"):
        f = root / f"{name}.jsonl"
        if f.exists() and f.stat().st_size > 0:
            out[name] = dataset_summary(datasets.load_dataset("json", data_files={"train": str(f)}))
    real_stdout.write(json.dumps(out) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
