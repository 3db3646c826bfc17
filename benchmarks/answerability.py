"""Fit the answerability calibrators (assistant/answerability.json) and check them on a set left out.

For each development set, the calibrators are fitted on the other sets only and scored on it (leave one
set out), so the figures say how the decision carries to documents and languages it was not fitted on.
Each training set weighs the same, and within a set both classes weigh the same, so the big sets do not
decide alone. `--write` fits on every set and saves the result the assistant loads.
Run: `.venv/bin/python benchmarks/answerability.py [--write]` (quality.py prints the same table).
"""

import argparse
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from assistant.answerability import FEATURES, FITTED, REGIMES, Answerability, Calibrator, features, regime
from assistant.assistant import Assistant
from assistant.quantities import missing_number
from assistant.text import READER_LANGS, detect_language, ngram_language, reader_language
from benchmarks.devsets import SETS, items, open_index

MAX_FALSE_ABSTAIN = 0.05  # the threshold: the highest at which no training set abstains on more of its answerables
# (the calibrator and the number rules together)


@dataclass(frozen=True)
class Row:
    set: str
    regime: str
    values: dict[str, float]
    answerable: bool
    missing_number: bool  # a number named or asked for is in no best passage: abstained whatever the calibrator


def collect(assistant: Assistant, name: str, questions: Sequence[dict]) -> list[Row]:
    rows = []
    for item in questions:
        passages = assistant.passages(item["q"])
        rows.append(Row(name, regime(passages, detect_language(item["q"])), features(passages),
                        not item.get("abstain"), missing_number(passages)))
    return rows


def weights(rows: Sequence[Row]) -> np.ndarray:
    """Every (set, class) group weighs the same in all."""
    groups: dict[tuple[str, bool], int] = {}
    for r in rows:
        groups[r.set, r.answerable] = groups.get((r.set, r.answerable), 0) + 1
    return np.array([1.0 / groups[r.set, r.answerable] for r in rows])


def fit_one(rows: Sequence[Row], names: Sequence[str] = FEATURES, numbers: bool = True) -> Calibrator:
    from sklearn.linear_model import LogisticRegression

    names = tuple(names)
    X = np.array([[r.values[f] for f in names] for r in rows])
    y = np.array([r.answerable for r in rows])
    w = weights(rows)
    mean, scale = X.mean(axis=0), X.std(axis=0) + 1e-9
    model = LogisticRegression().fit((X - mean) / scale, y, sample_weight=w)
    calibrator = Calibrator(names, tuple(mean), tuple(scale), tuple(model.coef_[0]), float(model.intercept_[0]), 0.5)
    p = np.array([calibrator.probability(r.values) for r in rows])
    sets = sorted({r.set for r in rows if r.answerable})

    def false_abstain(t: float) -> float:  # the largest share of a set's answerables abstained on, the number
        # rules' abstentions counted: the budget is the whole decision's (PIAF dev: 4 + 1 of 80 without them)
        return max(float(np.mean([pi < t or (numbers and r.missing_number)
                                  for pi, r in zip(p, rows, strict=True) if r.set == s and r.answerable]))
                   for s in sets)

    threshold = max((t for t in np.unique(p) if false_abstain(t) <= MAX_FALSE_ABSTAIN), default=0.0)
    return Calibrator(names, calibrator.mean, calibrator.scale, calibrator.weights, calibrator.bias,
                      float(threshold) - 1e-9)


def fit(rows: Sequence[Row], names: Sequence[str] = FEATURES, numbers: bool = True) -> Answerability:
    """One calibrator per regime, each fitted on that regime's questions (`numbers`: the number rules decide too)."""
    return Answerability({k: fit_one([r for r in rows if r.regime == k], names, numbers) for k in REGIMES})


def fitted_without(by_set: dict[str, list[Row]], name: str, names: Sequence[str] = FEATURES,
                   numbers: bool = True) -> Answerability:
    """Calibrators fitted on every set but `name`."""
    return fit([r for other, rs in by_set.items() if other != name for r in rs], names, numbers)


def answered(model: Answerability, row: Row, numbers: bool = True) -> bool:
    """The calibrators answer the question (`numbers`: unless a number it names or asks for is in no passage)."""
    calibrator = model.calibrators[row.regime]
    return not (numbers and row.missing_number) and calibrator.probability(row.values) >= calibrator.threshold


def left_out(by_set: dict[str, list[Row]], names: Sequence[str] = FEATURES,
             numbers: bool = True) -> dict[str, tuple[int, int, int, int]]:
    """Per set, fitted on the others: (answerable abstained, answerable, unanswerable abstained, unanswerable)."""
    table = {}
    for name, rows in by_set.items():
        model = fitted_without(by_set, name, names, numbers)
        abstained = [not answered(model, r, numbers) for r in rows]
        yes = [a for a, r in zip(abstained, rows, strict=True) if r.answerable]
        no = [a for a, r in zip(abstained, rows, strict=True) if not r.answerable]
        table[name] = (sum(yes), len(yes), sum(no), len(no))
    return table


ABLATION = {  # which signals the calibrators see
    "coverage + margin + dense": FEATURES,
    "- margin (coverage + dense)": ("coverage", "dense"),
    "- coverage (margin + dense)": ("margin", "dense"),
    "- dense (coverage + margin)": ("coverage", "margin"),
}


def print_left_out(by_set: dict[str, list[Row]]) -> None:
    print("\nabstention, each set scored by calibrators fitted on the other sets (leave one set out):")
    print(f"  {'signals':<30} " + " ".join(f"{n[:22]:>22}" for n in by_set))
    for label, names in ABLATION.items():
        cells = [f"FA {fa}/{a} NA {na}/{u}" for fa, a, na, u in left_out(by_set, names).values()]
        print(f"  {label:<30} " + " ".join(f"{c:>22}" for c in cells))
    cells = [f"FA {fa}/{a} NA {na}/{u}" for fa, a, na, u in left_out(by_set, numbers=False).values()]
    print(f"  {'- numbers (quantities.py)':<30} " + " ".join(f"{c:>22}" for c in cells))
    cells = [f"NA {na}/{u}" for na, u in ceiling(by_set).values()]
    print(f"  {'best threshold, FA <= 5%':<30} " + " ".join(f"{c:>22}" for c in cells))
    print("  FA: answerable questions abstained on; NA: unanswerable questions abstained on; best threshold: the"
          " most NA any threshold on these signals reaches with at most 5% FA (chosen on the set: a bound)")


def ceiling(by_set: dict[str, list[Row]], budget: float = MAX_FALSE_ABSTAIN) -> dict[str, tuple[int, int]]:
    """Per set, the most unanswerables any threshold could abstain on while abstaining on at most `budget` of
    its answerables, the calibrators fitted without the set ranking its questions: what the signals allow,
    whatever threshold is chosen (the threshold itself is picked on the set here, so this is a bound, not a score)."""
    table = {}
    for name, rows in by_set.items():
        model = fitted_without(by_set, name)
        margin = np.array([model.calibrators[r.regime].probability(r.values) - model.calibrators[r.regime].threshold
                           for r in rows])
        forced = np.array([r.missing_number for r in rows])
        answerable = np.array([r.answerable for r in rows])
        allowed = int(budget * answerable.sum())
        best = 0
        for t in np.unique(np.concatenate([margin, [np.inf]])):
            abstained = forced | (margin < t)
            if (abstained & answerable).sum() <= allowed:
                best = max(best, int((abstained & ~answerable).sum()))
        table[name] = (best, int((~answerable).sum()))
    return table


def print_languages() -> None:
    """How often each way of telling a question's language is right (the regime, and the answer's language)."""
    from benchmarks.devsets import DATA

    asked = [i for _, questions, _ in SETS for i in items(questions)] + items(DATA / "overview_requests.json")
    known = [(i["q"], i["lang"]) for i in asked if i.get("lang") in READER_LANGS]
    ways = {"stop words": detect_language, "py3langid": ngram_language,
            "reader_language (both)": reader_language}
    print(f"\nthe question's language, right of {len(known)} dev questions and requests: "
          + ", ".join(f"{name} {sum(way(q) == lang for q, lang in known)}" for name, way in ways.items()))


def gather(work: Path) -> dict[str, list[Row]]:
    by_set: dict[str, list[Row]] = {}
    for name, questions, folders in SETS:
        by_set[name] = collect(open_index(folders, work), name, items(questions))
    return by_set


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true", help=f"save the calibrators fitted on every set to {FITTED}")
    parser.add_argument("--work", type=Path, help="keep the indexes in this folder between runs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="answerability-") as tmp:
        by_set = gather(args.work or Path(tmp))
    print_left_out(by_set)
    print_languages()
    if args.write:
        model = fit([r for rs in by_set.values() for r in rs])
        model.save(FITTED, about="fitted by benchmarks/answerability.py on: " + ", ".join(by_set))
        print(f"written: {FITTED}")


if __name__ == "__main__":
    main()
