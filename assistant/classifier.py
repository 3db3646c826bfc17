"""A logistic regression over one embedder's query vectors: what kind of question a question is.

Two are shipped, each fitted on example questions written for it (none from an evaluation set): whether a
question asks for a number or date (quantities.py) and whether it is a request about a whole document
(overview.py). The weights are fitted on standardised vectors and folded back onto raw ones, so reading one
is a dot product. The examples' mean vector is kept too: what every query shares, around which a part of a
query can be taken out of it (overview.py).
"""

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class QueryClassifier:
    model: str  # the embedder whose vectors the weights read (Embedder.key)
    weights: np.ndarray
    bias: float
    mean: np.ndarray | None = None  # the mean of the example vectors it was fitted on (None: not saved)

    def probability(self, vector: np.ndarray, model: str) -> float:
        """P(yes) for a query vector of `model`; 0 for another embedder's vectors, which it cannot read."""
        if model != self.model:
            return 0.0
        z = float(self.weights @ vector) + self.bias
        return 1.0 / (1.0 + float(np.exp(-max(-50.0, min(50.0, z)))))

    def save(self, path: Path, about: str) -> None:
        data = {"about": about, "model": self.model, "bias": self.bias, "weights": [float(w) for w in self.weights],
                **({"mean": [float(m) for m in self.mean]} if self.mean is not None else {})}
        path.write_text(json.dumps(data) + "\n", encoding="utf-8")


@cache
def load(path: Path) -> QueryClassifier:
    data = json.loads(path.read_text(encoding="utf-8"))
    mean = np.array(data["mean"], dtype=np.float32) if "mean" in data else None
    return QueryClassifier(data["model"], np.array(data["weights"], dtype=np.float32), float(data["bias"]), mean)


def fit(model: str, yes: np.ndarray, no: np.ndarray) -> QueryClassifier:
    """scikit-learn's logistic regression (its defaults) on the standardised query vectors of examples."""
    from sklearn.linear_model import LogisticRegression

    X = np.concatenate([yes, no])
    y = np.array([1] * len(yes) + [0] * len(no))
    mean, scale = X.mean(axis=0), X.std(axis=0) + 1e-6
    regression = LogisticRegression(max_iter=5000).fit((X - mean) / scale, y)
    weights = regression.coef_[0] / scale
    return QueryClassifier(model, weights, float(regression.intercept_[0] - weights @ mean), mean)
