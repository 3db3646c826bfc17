"""Retrieval and abstention quality on every development set, with each signal removed in turn.

One run prints, per set: this project (extractive answerer), the project with one signal switched off
(the ablation), dense-only e5 (no title context, no speaker extension, never abstains) and the plain
LangChain recipe (1000/200 chunks, MiniLM, Chroma top-4). Then the answerability scores of answerable
and unanswerable questions, so the abstention threshold is visibly a choice.
Run: `make bench` or `.venv/bin/python benchmarks/quality.py`.
"""

import json
import statistics
import sys
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from assistant.answering.extractive import DENSE_WEIGHT, best_answerability
from assistant.assistant import Assistant
from assistant.config import ROOT, Settings
from assistant.evaluation import run, summarise
from assistant.retrieval import COVERED, Signals
from benchmarks import recipe

SHARED = ROOT.parent / "shared"
DATA = Path(__file__).parent / "data"
NEWS, PIAF = [ROOT / "corpus"], [SHARED / "eval" / "piaf_dev" / "corpus"]
SETS = [  # (name, questions, corpus folders)
    ("dev (news, en/fr/it)", SHARED / "dev_questions.json", NEWS),
    ("crosslang news (en/it/es/de)", DATA / "crosslang_news.json", NEWS),
    ("PIAF dev (fr)", SHARED / "eval" / "piaf_dev" / "questions.json", PIAF),
    ("crosslang PIAF (en/it/es/de)", DATA / "crosslang_piaf.json", PIAF),
]
ABLATION = {  # name -> (settings changes, signal changes)
    "- title context": ({"title_context": False}, {}),
    "- speaker extension": ({}, {"speaker": False}),
    "- neighbour credit": ({}, {"neighbours": False}),
}


def open_index(folders: list[Path], work: Path, **changes: Any) -> Assistant:
    name = "-".join(f"{k}{v}" for k, v in changes.items()) or "default"
    settings = Settings(index_dir=work / f"{folders[0].parent.name}-{name}", corpus_dir=work / "none",
                        llm="extractive", **changes)
    assistant = Assistant(settings)
    assistant.ingest(folders)
    return assistant


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
        scores: dict[str, list[tuple[float, float]]] = {"answerable": [], "unanswerable": []}
        for name, questions, folders in SETS:
            items = json.loads(questions.read_text(encoding="utf-8"))["items"]
            key = folders[0].parent.name
            if (key, "default") not in indexes:
                indexes[key, "default"] = open_index(folders, work)
                indexes[key, "untitled"] = open_index(folders, work, title_context=False)
                recipes[key] = recipe.build(sorted(p for f in folders for p in f.glob("*.txt")))
            ours = indexes[key, "default"]
            print(f"\n{name}: {len(items)} questions ({sum(1 for i in items if i.get('abstain'))} unanswerable)")
            print(f"  {'system':<38} {'cite@1':>7} {'cite@3':>7} {'abstain':>8} {'false abst':>10} {'chars/cite':>10}")
            print(row("this project", score(run(ours, items))))
            for i in items:
                passages = ours.passages(i["q"])
                scores["unanswerable" if i.get("abstain") else "answerable"].append(
                    (best_answerability(passages), passages[0].signals["dense"]))
            for system, (setting_changes, signal_changes) in ABLATION.items():
                assistant = indexes[key, "untitled"] if setting_changes else ours
                assistant.search.signals = replace(Signals(), **signal_changes)
                print(row(system, score(run(assistant, items))))
                assistant.search.signals = Signals()
            dense = indexes[key, "untitled"]
            dense.search.signals = Signals(speaker=False, neighbours=False)
            print(row("dense-only e5 (never abstains)", hits(items, [[p.chunk.text for p in dense.passages(i["q"])]
                                                                    for i in items])))
            dense.search.signals = Signals()
            print(row(f"recipe (top-{recipe.K}, never abstains)",
                      hits(items, [[d.page_content for d in recipes[key].invoke(i["q"])] for i in items])))
        threshold = Settings().min_support
        yes, no = scores["answerable"], scores["unanswerable"]
        print(f"\nabstention, all sets together ({len(yes)} answerable, {len(no)} unanswerable questions):")
        print(f"  answerability = coverage + {DENSE_WEIGHT} x dense, best of the top {COVERED} passages; "
              f"threshold {threshold}")
        print(f"    answerable   {distribution([a for a, _ in yes])}")
        print(f"    unanswerable {distribution([a for a, _ in no])}")
        print(f"    wrong: {sum(a < threshold for a, _ in yes)} answerable abstained, "
              f"{sum(a >= threshold for a, _ in no)} unanswerable answered")
        print("  - coverage: the top passage's dense score alone")
        print(f"    answerable   {distribution([d for _, d in yes])}")
        print(f"    unanswerable {distribution([d for _, d in no])}")
        best = min(sorted({d for _, d in yes + no}), key=lambda t: sum(d < t for _, d in yes) / len(yes)
                   + sum(d >= t for _, d in no) / len(no))
        print(f"    wrong at its best threshold ({best:.3f}, chosen on these very sets): "
              f"{sum(d < best for _, d in yes)} answerable abstained, "
              f"{sum(d >= best for _, d in no)} unanswerable answered")


if __name__ == "__main__":
    main()
