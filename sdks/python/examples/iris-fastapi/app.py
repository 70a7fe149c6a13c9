"""
A small Python inference service: scikit-learn's logistic regression on the Iris data set that
scikit-learn ships, served with FastAPI, recording every prediction into LabelLoop through the
Python SDK (the gateway's HTTP API). Run:

    LABELLOOP_GATEWAY_URL=http://127.0.0.1:8080 LABELLOOP_TOKEN=... uvicorn app:app --port 9000

POST /predict {"features": [5.1, 3.5, 1.4, 0.2], "id": "optional request id"}
"""

from __future__ import annotations

import os
from contextlib import asynccontextmanager

from fastapi import FastAPI
from pydantic import BaseModel
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

from labelloop import GatewayHttpTransport, PredictionRecorder, from_sklearn_proba

MODEL_ID = os.environ.get("MODEL_ID", "iris-fastapi")
MODEL_VERSION = "1"
iris = load_iris()
model = LogisticRegression(max_iter=500).fit(iris.data, iris.target)
classes = [str(iris.target_names[c]) for c in model.classes_]
recorder: PredictionRecorder | None = None


@asynccontextmanager
async def lifespan(_: FastAPI):
    global recorder
    # The five lines of the README: a recorder per process, record() per prediction, close() at exit.
    recorder = PredictionRecorder(GatewayHttpTransport(os.environ["LABELLOOP_GATEWAY_URL"], os.environ["LABELLOOP_TOKEN"]), "inference/iris-fastapi")
    yield
    recorder.close()


app = FastAPI(lifespan=lifespan)


class Features(BaseModel):
    features: list[float]
    id: str | None = None


@app.post("/predict")
def predict(x: Features) -> dict[str, object]:
    proba = model.predict_proba([x.features])[0]
    event = from_sklearn_proba(MODEL_ID, MODEL_VERSION, proba, classes, input=repr(x.features), features=x.features, feature_names=[n.replace(" (cm)", "").replace(" ", "_") for n in iris.feature_names])
    if x.id:
        event.event_id = f"{MODEL_ID}:{x.id}"
    if os.environ.get("LABELLOOP_PROJECT"):
        event.metadata["project_id"] = os.environ["LABELLOOP_PROJECT"]
    assert recorder is not None
    recorder.record(event)  # no I/O here: the SDK sends in the background
    return {"label": event.predicted_label, "confidence": event.confidence}


@app.get("/stats")
def stats() -> dict[str, int]:
    assert recorder is not None
    s = recorder.stats()
    return {"recorded": s.recorded, "sent": s.sent, "dropped": s.dropped, "rejected": s.rejected, "refused": s.refused, "buffered": s.buffered}
