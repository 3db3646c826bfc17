"""The built-in model as an answerability judge, and the calibrators that read its judgement (judged.json).

The judge reads the answer prompt itself (`llm.JUDGE_HUMAN`: the system message, passages and question that
`llm.py` sends, with "Do the passages state the answer to the question? Reply YES or NO." added) and we read
P(YES) from the first token's log-probabilities; llama.cpp then reuses that prompt's prefill for the answer.
On the built-in model's path, a question across languages that the first calibrators (answerability.json)
answer is answered only if the same calibrators refitted with the judge as a fourth feature answer it too.
Printed per development set: ROC AUC of the judge beside the other signals, and abstention with the first
calibrators alone and with the judge's confirmation, each set scored by calibrators fitted on the other sets.
Run: `.venv/bin/python benchmarks/judge.py [--work DIR] [--rows FILE] [--write]` (about 10 minutes on 2 cores: 263
prompts; with --rows, a second run reads the judged questions back and takes seconds).
"""

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from assistant.answerability import FEATURES, JUDGED, JUDGED_REGIMES
from assistant.answering import extractive
from assistant.answering.llm import LLMAnswerer
from assistant.config import ROOT, Settings
from assistant.text import reader_language
from benchmarks.answerability import Row, answered, collect, fit
from benchmarks.devsets import SETS, items, open_index

SIGNALS = (*FEATURES, "judge")


def auc(rows: Sequence[Row], feature: str) -> float:
    from sklearn.metrics import roc_auc_score

    y = [r.answerable for r in rows]
    return float(roc_auc_score(y, [r.values[feature] for r in rows])) if 0 < sum(y) < len(y) else float("nan")


def left_out(by_set: dict[str, list[Row]], judged: Sequence[str]) -> dict[str, tuple[int, int, int, int]]:
    """Per set, fitted on the others: (answerable abstained, answerable, unanswerable abstained, unanswerable);
    the judgement confirms answers to questions of the `judged` regimes."""
    table = {}
    for name, rows in by_set.items():
        others = [r for other, rs in by_set.items() if other != name for r in rs]
        first = fit(others)
        second = fit(others, SIGNALS) if judged else None
        abstained = [not answered(first, r) or (second is not None and r.regime in judged and not answered(second, r))
                     for r in rows]
        yes = [a for a, r in zip(abstained, rows, strict=True) if r.answerable]
        no = [a for a, r in zip(abstained, rows, strict=True) if not r.answerable]
        table[name] = (sum(yes), len(yes), sum(no), len(no))
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--work", type=Path, help="keep the indexes in this folder between runs")
    parser.add_argument("--write", action="store_true", help=f"save the confirming calibrators to {JUDGED}")
    parser.add_argument("--rows", type=Path, help="keep every question's signals in this file; read it if it exists")
    args = parser.parse_args()
    by_set: dict[str, list[Row]] = {}
    seconds: list[float] = []
    if args.rows and args.rows.exists():
        by_set = {name: [Row(**r) for r in rows] for name, rows in json.loads(args.rows.read_text()).items()}
    with tempfile.TemporaryDirectory(prefix="judge-") as tmp:
        for name, questions, folders in SETS if not by_set else []:
            assistant = open_index(folders, args.work or Path(tmp))
            model = LLMAnswerer(Settings(llm="local", cache_dir=ROOT / "index" / "cache"), assistant.embedder)
            asked = items(questions)
            rows = collect(assistant, name, asked)
            for row, item in zip(rows, asked, strict=True):
                evidence = extractive.select(assistant.passages(item["q"]), assistant.settings.citations)
                start = time.perf_counter()
                judged = model.judge(evidence, item["q"], reader_language(item["q"]))
                assert judged is not None, "the built-in model sent no log-probabilities"
                row.values["judge"] = judged
                seconds.append(time.perf_counter() - start)
            by_set[name] = rows
    if args.rows:
        args.rows.write_text(json.dumps({name: [asdict(r) for r in rows] for name, rows in by_set.items()}))
    if seconds:
        print(f"judge: {len(seconds)} prompts, {statistics.median(seconds):.2f} s median each (the prompt read whole)")
    print(f"\nROC AUC, answerable vs unanswerable  {'judge':>6} " + " ".join(f"{f:>8}" for f in FEATURES))
    for name, rows in by_set.items():
        print(f"  {name[:34]:<34} {auc(rows, 'judge'):>6.3f} " + " ".join(f"{auc(rows, f):>8.3f}" for f in FEATURES))
    print("\nabstention, each set scored by calibrators fitted on the other sets (leave one set out):")
    print(f"  {'':<36} " + " ".join(f"{n[:22]:>22}" for n in by_set))
    rules: tuple[tuple[str, Sequence[str]], ...] = (
        ("first calibrators (extractive)", ()), ("confirmed across languages (shipped)", JUDGED_REGIMES),
        ("confirmed in both regimes", ("same", "cross")))
    for label, judged in rules:
        cells = [f"FA {fa}/{a} NA {na}/{u}" for fa, a, na, u in left_out(by_set, judged).values()]
        print(f"  {label:<36} " + " ".join(f"{c:>22}" for c in cells))
    print("  FA: answerable questions abstained on; NA: unanswerable questions abstained on")
    if args.write:
        fit([r for rs in by_set.values() for r in rs], SIGNALS).save(
            JUDGED, about="fitted by benchmarks/judge.py on: " + ", ".join(by_set))
        print(f"written: {JUDGED}")


if __name__ == "__main__":
    main()
