"""Retrieval and abstention quality on every development set, with each signal removed in turn.

One run prints, per set: this project (extractive answerer), the project with one signal switched off
(the ablation), dense-only e5 (no title context, no speaker extension, never abstains) and the plain
LangChain recipe (1000/200 chunks, MiniLM, Chroma top-4). Then the answerability scores of answerable
and unanswerable questions, so the abstention threshold is visibly a choice.
Run: `make bench` or `.venv/bin/python benchmarks/quality.py`.
"""

import statistics
import sys
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from assistant.assistant import Assistant
from assistant.evaluation import run, summarise
from assistant.retrieval import Signals
from benchmarks import recipe
from benchmarks.answerability import Row, collect, fitted_without, print_left_out
from benchmarks.devsets import SETS, items, open_index

ABLATION = {  # name -> (settings changes, signal changes)
    "- title context": ({"title_context": False}, {}),
    "- speaker extension": ({}, {"speaker": False}),
    "- neighbour credit": ({}, {"neighbours": False}),
    "- number check": ({}, {"numbers": False}),
    "- question's numbers": ({}, {"question_numbers": False}),
    "- whole sentences": ({}, {"sentences": False}),
    "- words in the order": ({}, {"words": False}),
}


def score(report: dict[str, Any]) -> dict[str, Any]:
    s = report["summary"]
    cited = [c["text"] for r in report["results"] for c in r["citations"]]
    return {"cite@1": s["cite@1"], "cite@3": s["cite@3"], "abstain": s["abstain"],
            "false_abst": s["false_abstain"], "chars/cite": statistics.mean(map(len, cited)) if cited else 0}


def hits(items: list[dict[str, Any]], ranked: list[list[str]]) -> dict[str, Any]:
    """cite@1 and cite@3 of a system that never abstains, scored as `assistant eval` scores ours."""
    results = [{"citations": [{"text": t} for t in r[:3]], "abstained": False, "answer": "", "latency_ms": 0.0,
                "written": None, "removed": []} for r in ranked]
    s = summarise(items, results)
    texts = [t for i, r in zip(items, ranked, strict=True) if not i.get("abstain") for t in r[:3]]
    return {"cite@1": s["cite@1"], "cite@3": s["cite@3"], "abstain": None, "false_abst": None,
            "chars/cite": statistics.mean(map(len, texts))}


def row(system: str, m: dict[str, Any]) -> str:
    def fmt(v: Any) -> str:
        return "-" if v is None else f"{v:.3f}" if isinstance(v, float) else str(v)

    return (f"  {system:<38} {fmt(m['cite@1']):>7} {fmt(m['cite@3']):>7} {fmt(m['abstain']):>8} "
            f"{fmt(m['false_abst']):>10} {m['chars/cite']:>10.0f}")


def distribution(values: list[float]) -> str:
    if not values:
        return "-"
    q = statistics.quantiles(values, n=20) if len(values) > 1 else values * 19
    return f"min {min(values):.3f}  p5 {q[0]:.3f}  median {statistics.median(values):.3f}  " \
           f"p95 {q[-1]:.3f}  max {max(values):.3f}  (n={len(values)})"


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="quality-") as tmp:
        work = Path(tmp)
        indexes: dict[tuple[str, str], Assistant] = {}
        recipes: dict[str, Any] = {}
        by_set: dict[str, list[Row]] = {}
        for name, questions, folders in SETS:
            key = folders[0].parent.name
            if (key, "default") not in indexes:
                indexes[key, "default"] = open_index(folders, work)
                indexes[key, "untitled"] = open_index(folders, work, title_context=False)
                recipes[key] = recipe.build(sorted(p for f in folders for p in f.glob("*.txt")))
            by_set[name] = collect(indexes[key, "default"], name, items(questions))
        for name, questions, folders in SETS:
            key = folders[0].parent.name
            qs = items(questions)
            ours = indexes[key, "default"]
            print(f"\n{name}: {len(qs)} questions ({sum(1 for i in qs if i.get('abstain'))} unanswerable)")
            print(f"  {'system':<38} {'cite@1':>7} {'cite@3':>7} {'abstain':>8} {'false abst':>10} {'chars/cite':>10}")
            print(row("this project", score(run(ours, qs))))
            shipped = ours.answerability
            ours.answerability = fitted_without(by_set, name)
            print(row("  abstention fitted without this set", score(run(ours, qs))))
            ours.answerability = shipped
            for system, (setting_changes, signal_changes) in ABLATION.items():
                assistant = indexes[key, "untitled"] if setting_changes else ours
                assistant.search.signals = replace(Signals(), **signal_changes)
                print(row(system, score(run(assistant, qs))))
                assistant.search.signals = Signals()
            dense = indexes[key, "untitled"]
            dense.search.signals = Signals(speaker=False, neighbours=False, sentences=False, words=False)
            print(row("dense-only e5 (never abstains)", hits(qs, [[p.chunk.text for p in dense.passages(i["q"])]
                                                                 for i in qs])))
            dense.search.signals = Signals()
            print(row(f"recipe (top-{recipe.K}, never abstains)",
                      hits(qs, [[d.page_content for d in recipes[key].invoke(i["q"])] for i in qs])))
        print_left_out(by_set)
        print_distributions(by_set)


def print_distributions(by_set: dict[str, list[Row]]) -> None:
    """What the shipped calibrators see: the probability of answerable and unanswerable questions."""
    from assistant.answerability import fitted

    model = fitted()
    print("\nprobability of being answerable (shipped calibrators, all sets; abstain below the threshold):")
    for regime, calibrator in model.calibrators.items():
        rows = [r for rs in by_set.values() for r in rs if r.regime == regime]
        print(f"  {regime}-language questions (threshold {calibrator.threshold:.3f}):")
        for label, want in (("answerable", True), ("unanswerable", False)):
            chances = [calibrator.probability(r.values) for r in rows if r.answerable == want]
            print(f"    {label:<12} {distribution(chances)}")


if __name__ == "__main__":
    main()
