import numpy as np
import pytest

from labelloop import from_hf_pipeline, from_sklearn_proba, with_embedding


def test_sklearn_row_gives_probabilities_label_confidence_and_features():
    e = from_sklearn_proba("m", "1", np.array([0.2, 0.7, 0.1]), ["a", "b", "c"], input="text", features=np.array([1.0, 2.5]), feature_names=["len", "links"])
    assert e.predicted_label == "b"
    assert e.confidence == pytest.approx(0.7)
    assert dict(e.class_probabilities) == pytest.approx({"a": 0.2, "b": 0.7, "c": 0.1})
    assert dict(e.numeric_features) == {"len": 1.0, "links": 2.5}
    assert e.content_hash.startswith("sha256:")


def test_sklearn_row_of_the_wrong_length_is_refused():
    with pytest.raises(ValueError, match="3 values for 2 classes"):
        from_sklearn_proba("m", "1", [0.2, 0.7, 0.1], [0, 1], input="x")


def test_hf_pipeline_outputs():
    one = from_hf_pipeline("m", "1", {"label": "POSITIVE", "score": 0.98}, input="great")
    assert (one.predicted_label, one.confidence) == ("POSITIVE", pytest.approx(0.98))
    top = from_hf_pipeline("m", "1", [[{"label": "neg", "score": 0.3}, {"label": "pos", "score": 0.7}]], input="ok")
    assert top.predicted_label == "pos"
    assert dict(top.class_probabilities) == pytest.approx({"neg": 0.3, "pos": 0.7})


def test_numpy_embedding_shapes():
    e = from_hf_pipeline("m", "1", {"label": "x", "score": 0.5}, input="x")
    with_embedding(e, np.array([[0.25, -0.5]], dtype=np.float32))
    assert list(e.embedding) == [0.25, -0.5]
    with pytest.raises(ValueError, match="one vector"):
        with_embedding(e, np.zeros((2, 2)))
