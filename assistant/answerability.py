"""Answerability: does any retrieved passage answer the question? The decision behind every abstention.

Two signals, each blind where the other sees (benchmarks/answerability.py measures both):
- coverage (coverage.py): the question's rare words found in the best passages. Decisive when question
  and documents share a language; a question in another language or script shares no words with them.
- margin: how far the best passage's dense score stands out from the next ones of the same question
  (e5 cosines sit in a narrow band, so only a question's own baseline makes them comparable). It crosses
  languages, but misses "close" unanswerables: a person the documents quote, asked about something else.
A small logistic regression over (coverage, margin, dense) for each regime, a question in its documents'
language or across languages, is fitted by `benchmarks/answerability.py` on several development sets at
once, and loaded here as data. Numbers see what both miss across languages (quantities.py): a question
that names a number none of the best passages has, or asks for a number or date over passages holding none.
"""

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from assistant.quantities import missing_number
from assistant.types import Passage

FITTED = Path(__file__).with_name("answerability.json")
# the same calibrators with the built-in model's judgement as a fourth feature (benchmarks/judge.py): they
# confirm, on the built-in model's path, what the first ones answered
JUDGED = Path(__file__).with_name("judged.json")
# where the judgement is asked: within a language, coverage already reads the passage for the question's words
# (PIAF dev ROC AUC 0.973) and the judge there cost as much as it gave (FA 5 -> 6, NA 13 -> 14) and 0.45 s
JUDGED_REGIMES = ("cross",)
FEATURES = ("coverage", "margin", "dense")
REGIMES = ("same", "cross")  # the question in its best passage's language, or in another one


def features(passages: Sequence[Passage]) -> dict[str, float]:
    """The question's signals: best coverage among the covered passages, the top passage's margin over
    its followers and its dense score."""
    top = densest(passages).signals
    covered = [p.signals["coverage"] for p in passages if "coverage" in p.signals]
    return {"coverage": max(covered, default=0.0), "margin": top.get("margin", 0.0), "dense": top["dense"]}


def regime(passages: Sequence[Passage], question_lang: str) -> str:
    return "same" if passages and densest(passages).chunk.lang == question_lang else "cross"


def densest(passages: Sequence[Passage]) -> Passage:
    """The passage dense retrieval put first, which the calibrators were fitted on (retrieval's order also
    reads the question's words)."""
    return max(passages, key=lambda p: p.signals["dense"])


@dataclass(frozen=True)
class Decision:
    answerable: bool
    probability: float
    regime: str


@dataclass(frozen=True)
class Calibrator:
    """A logistic regression on standardised features and the probability above which a question is answered."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    threshold: float

    def probability(self, values: Mapping[str, float]) -> float:
        terms = zip(self.features, self.mean, self.scale, self.weights, strict=True)
        z = self.bias + sum(w * (values[f] - m) / s for f, m, s, w in terms)
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


@dataclass(frozen=True)
class Answerability:
    """One calibrator per regime: the same signal means different things within a language and across."""

    calibrators: Mapping[str, Calibrator]

    def decide(self, passages: Sequence[Passage], question_lang: str, threshold: float | None = None) -> Decision:
        """Answer or abstain; `threshold` overrides the fitted ones (ASSISTANT_MIN_SUPPORT)."""
        if not passages:
            return Decision(False, 0.0, "none")
        which = regime(passages, question_lang)
        calibrator = self.calibrators[which]
        p = calibrator.probability(features(passages))
        if missing_number(passages):  # a number the question names, or asks for, is in no passage
            return Decision(False, p, which)
        return Decision(p >= (calibrator.threshold if threshold is None else threshold), p, which)

    def confirms(self, passages: Sequence[Passage], question_lang: str, judge: float) -> bool:
        """Calibrators that read the model's judgement (JUDGED): whether the question is still answered."""
        calibrator = self.calibrators[regime(passages, question_lang)]
        return calibrator.probability({**features(passages), "judge": judge}) >= calibrator.threshold

    def save(self, path: Path, about: str) -> None:
        data: dict[str, object] = {"about": about}
        for name, c in self.calibrators.items():
            data[name] = {"features": list(c.features), "mean": list(c.mean), "scale": list(c.scale),
                          "weights": list(c.weights), "bias": c.bias, "threshold": c.threshold}
        path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


@cache
def fitted(path: Path = FITTED) -> Answerability:
    """The calibrators `benchmarks/answerability.py` fitted (shipped with the package)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return Answerability({
        name: Calibrator(tuple(d["features"]), tuple(d["mean"]), tuple(d["scale"]), tuple(d["weights"]),
                         float(d["bias"]), float(d["threshold"]))
        for name, d in ((name, data[name]) for name in REGIMES)
    })
