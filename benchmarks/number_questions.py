"""Fit the number-question classifier (assistant/number_question.json) and measure what it does.

Fitted on `data/number_questions.json` only (questions written for it, none from an evaluation set), so every
development set below is held out from it. Printed: how well its probability tells, among the answerable dev
questions, those whose gold answer has a digit (ROC AUC); then per dev set, what the number rules of
quantities.py do alone: unanswerable questions they catch, answerable ones they would abstain on.
`--write` saves the classifier the assistant loads.
Run: `.venv/bin/python benchmarks/number_questions.py [--write]` (`make bench` runs it).
"""

import argparse
import json
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from assistant import classifier
from assistant.classifier import QueryClassifier
from assistant.config import Settings, cache_dir
from assistant.embeddings import load_embedder
from assistant.quantities import ASKS, FITTED, missing_number
from benchmarks.devsets import DATA, SETS, items, open_index

EXAMPLES = DATA / "number_questions.json"


def fit(embedder_name: str | None = None) -> QueryClassifier:
    settings = Settings() if embedder_name is None else Settings(embedder=embedder_name)
    embedder = load_embedder(settings.embedder, settings.model_dir, cache_dir(settings))
    data = json.loads(EXAMPLES.read_text(encoding="utf-8"))
    return classifier.fit(embedder.key, embedder.queries(data["number"]), embedder.queries(data["other"]))


def gold_has_digit(item: dict) -> bool:
    gold = item.get("gold") or []
    return any(re.search(r"\d", g) for g in (gold if isinstance(gold, list) else [gold]))


def main() -> None:
    from sklearn.metrics import roc_auc_score

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true", help=f"save the classifier to {FITTED}")
    parser.add_argument("--work", type=Path, help="keep the indexes in this folder between runs")
    args = parser.parse_args()
    number = fit()
    if args.write:
        number.save(FITTED, about=f"fitted by benchmarks/number_questions.py on {EXAMPLES.name}")
        print(f"written: {FITTED}")
    labels, probabilities = [], []
    print("\nthe number rules alone: a number the question names is in none of the best passages, or it asks for"
          f" a number or date (probability >= {ASKS}) and they hold none:")
    print(f"  {'dev set':<34} {'unanswerable caught':>20} {'answerable abstained':>21}")
    with tempfile.TemporaryDirectory(prefix="numbers-") as tmp:
        for name, questions, folders in SETS:
            assistant = open_index(folders, args.work or Path(tmp))
            caught = wrong = unanswerable = answerable = 0
            for item in items(questions):
                passages = assistant.passages(item["q"])
                fires = missing_number(passages)
                if item.get("abstain"):
                    unanswerable += 1
                    caught += fires
                else:
                    answerable += 1
                    wrong += fires
                    labels.append(gold_has_digit(item))
                    probabilities.append(number.probability(assistant.search.vector(item["q"]), assistant.embedder.key))
            print(f"  {name:<34} {f'{caught}/{unanswerable}':>20} {f'{wrong}/{answerable}':>21}")
    print(f"\nasks for a number or date vs the gold answer has a digit, {len(labels)} answerable dev questions "
          f"({sum(labels)} with a digit): ROC AUC {roc_auc_score(labels, probabilities):.3f}")


if __name__ == "__main__":
    main()
