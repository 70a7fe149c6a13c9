"""Build PredictionEvents from what common Python models return."""

from __future__ import annotations

import hashlib
from typing import Any, Iterable, Mapping, Sequence

from labelloop.gen.labelloop.inference.v1 import prediction_pb2

PredictionEvent = prediction_pb2.PredictionEvent


def content_hash(data: str | bytes) -> str:
    """`sha256:<hex>` of the model input (what the stages deduplicate items by)."""
    return "sha256:" + hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


def _event(model_id: str, model_version: str, input: str | bytes | None, kw: dict[str, Any]) -> PredictionEvent:
    if "content_hash" not in kw:
        if input is None:
            raise ValueError("give the model input (input=...) or content_hash=...")
        kw["content_hash"] = content_hash(input)
    embedding = kw.pop("embedding", None)
    e = PredictionEvent(model_id=model_id, model_version=model_version, **kw)
    if embedding is not None:
        e.embedding.extend(embedding_values(embedding))
    return e


def _with_probabilities(e: PredictionEvent, probs: Mapping[str, float]) -> PredictionEvent:
    if not probs:
        raise ValueError("no class probabilities")
    for label, p in probs.items():
        e.class_probabilities[str(label)] = float(p)
    best = max(probs, key=lambda k: probs[k])
    e.predicted_label = str(best)
    e.confidence = float(probs[best])
    return e


def from_sklearn_proba(
    model_id: str,
    model_version: str,
    proba_row: Sequence[float] | Any,
    classes: Iterable[Any],
    *,
    input: str | bytes | None = None,
    features: Mapping[str, float] | Sequence[float] | Any | None = None,
    feature_names: Sequence[str] | None = None,
    **kw: Any,
) -> PredictionEvent:
    """
    One row of a scikit-learn `predict_proba` (with the estimator's `classes_`): class
    probabilities, the predicted label (the most probable class) and its probability as the
    confidence. `features` (a mapping, or a row with `feature_names`, e.g. the estimator's
    `feature_names_in_`) become numeric features.
    """
    names = [str(c) for c in classes]
    row = [float(p) for p in list(proba_row)]
    if len(row) != len(names):
        raise ValueError(f"predict_proba row has {len(row)} values for {len(names)} classes")
    e = _with_probabilities(_event(model_id, model_version, input, kw), dict(zip(names, row)))
    if features is not None:
        items: Iterable[tuple[Any, Any]]
        if isinstance(features, Mapping):
            items = features.items()
        else:
            values = [float(v) for v in list(features)]
            cols = list(feature_names) if feature_names is not None else [f"x{i}" for i in range(len(values))]
            if len(cols) != len(values):
                raise ValueError(f"{len(values)} feature values for {len(cols)} feature names")
            items = zip(cols, values)
        for k, v in items:
            e.numeric_features[str(k)] = float(v)
    return e


def from_hf_pipeline(model_id: str, model_version: str, output: Mapping[str, Any] | Sequence[Mapping[str, Any]], *, input: str | bytes | None = None, **kw: Any) -> PredictionEvent:
    """
    The output of a Hugging Face text-classification pipeline for one input: `{"label",
    "score"}`, or the list of them (`top_k=None`, or a one-element list). The scores become class
    probabilities; the best one is the predicted label and the confidence.
    """
    items = [output] if isinstance(output, Mapping) else list(output)
    if items and not isinstance(items[0], Mapping) and isinstance(items[0], Sequence):
        items = list(items[0])  # the pipeline's per-input list, for a batch of one
    probs = {str(i["label"]): float(i["score"]) for i in items}
    return _with_probabilities(_event(model_id, model_version, input, kw), probs)


def embedding_values(vector: Sequence[float] | Any) -> list[float]:
    """A 1-D embedding (list, or NumPy array of shape (d,) or (1, d)) as floats."""
    shape = getattr(vector, "shape", None)
    if shape is not None:
        if len(shape) == 2 and shape[0] == 1:
            vector = vector[0]
        elif len(shape) != 1:
            raise ValueError(f"an embedding is one vector, got shape {tuple(shape)}")
        return [float(v) for v in vector.tolist()]  # type: ignore[union-attr]  # a NumPy array
    return [float(v) for v in vector]


def with_embedding(event: PredictionEvent, vector: Sequence[float] | Any) -> PredictionEvent:
    """Sets the event's embedding from a NumPy vector (or any sequence of numbers)."""
    del event.embedding[:]
    event.embedding.extend(embedding_values(vector))
    return event
