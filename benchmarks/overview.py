"""Document-level requests (summaries, main points, what it is about): recognised, and answered as asked.

Prints (1) the similarity to the nearest example request of every dev request and of every question of the
other dev sets (none of which may be taken for a request), and (2) for each dev request, the checks the
extractive answer must pass: not abstained; at least 3 citations, all from the requested document (at least
2 documents for "these articles"); one in the document's first quarter; citations starting in at least two
of its thirds. Run: `.venv/bin/python benchmarks/overview.py` (in `make bench`).
"""

import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from assistant.assistant import Assistant
from assistant.overview import CONTRAST, NAMED_BAND, NAMED_MARGIN, THRESHOLD
from benchmarks.devsets import DATA, NEWS, PIAF, SETS, XQUAD, items, open_index

REQUESTS = DATA / "overview_requests.json"
FOLLOW_UPS = ["Where did he say it?", "Qu'a-t-il dit de l'accord ?", "Et à Pyongyang ?",  # tests/test_load.py
              "What did he say about Western soldiers?", "Qui l'a dit ?"]


def checks(assistant: Assistant, item: dict[str, Any]) -> list[str]:
    """What the answer to one request gets wrong (empty: all passed)."""
    answer = assistant.ask(item["q"])
    if answer.abstained:
        return ["abstained"]
    wrong = []
    cites = answer.citations
    if len(cites) < 3:
        wrong.append(f"{len(cites)} citations")
    if item["doc"]:
        if any(c.doc != item["doc"] for c in cites):
            wrong.append("cites another document: " + ", ".join(sorted({c.doc for c in cites} - {item['doc']})))
        size = len(assistant.text(cites[0].doc_id)) if cites else 1
        if not any(c.start < size / 4 for c in cites):
            wrong.append("nothing from the lead")
        if len({min(2, int(3 * c.start / size)) for c in cites}) < 2:
            wrong.append("one third only")
    elif len({c.doc for c in cites}) < 2:
        wrong.append("one document only")
    return wrong


def main() -> None:
    requests = items(REQUESTS)
    with tempfile.TemporaryDirectory(prefix="overview-") as tmp:
        work = Path(tmp)
        news, piaf = open_index(NEWS, work), open_index(PIAF, work)
        overview = news.overview
        score = lambda q: overview.score(news.embedder.queries([q])[0])  # noqa: E731
        asked = [score(i["q"]) for i in requests]
        questions = [score(i["q"]) for _, path, _ in SETS for i in items(path)] + [score(q) for q in FOLLOW_UPS]

        def taken(scores: list[tuple[float, float]], contrast: float = CONTRAST) -> int:
            return sum(s >= THRESHOLD and c >= contrast for s, c in scores)

        print(f"recognition: likeness to the nearest example request >= {THRESHOLD}, and {CONTRAST} more than to "
              "the nearest example question")
        print(f"  dev requests ({len(asked)}): likeness min {min(s for s, _ in asked):.3f}  median "
              f"{statistics.median(s for s, _ in asked):.3f}; recognised {taken(asked)} (without the contrast "
              f"{taken(asked, -1.0)})")
        print(f"  dev questions and follow-ups ({len(questions)}): likeness max {max(s for s, _ in questions):.3f}; "
              f"taken for a request {taken(questions)} (without the contrast {taken(questions, -1.0)})")
        named = 0
        for _, path, folders in SETS:
            own = open_index(folders, work)
            vectors = own.embedder.queries([i["q"] for i in items(path)])
            named += sum(own.overview.answer(v) is not None for v in vectors)
        print(f"  dev questions taken for a request on their own index, requests that name a document included "
              f"(likeness >= {NAMED_BAND}, compared with requests and questions about the named title): {named}")
        print("\nextractive answers to the dev requests:")
        passed = 0
        for item in requests:
            wrong = checks(piaf if item.get("docs") == "piaf" else news, item)
            passed += not wrong
            print(f"  {'ok ' if not wrong else 'NO '} {item['id']:<14} {item['q'][:50]:<50} {'; '.join(wrong)}")
        print(f"  passed {passed} of {len(requests)}")
        naming(piaf, [i for i in requests if i.get("docs") == "piaf"])
        long_document(work)


def naming(assistant: Assistant, requests: list[dict[str, Any]]) -> None:
    """How far the best title stands above the next for what is left of each request once its nearest
    example request is taken out (overview.Overview._documents): large when a document is named."""
    overview = assistant.overview
    records = [r for r in assistant.documents() if r.complete]
    titles = np.stack([overview.title_vector(r.title) for r in records])
    print(f"\nwhich document a request names ({len(records)} documents; named when the margin >= {NAMED_MARGIN}):")
    for item in requests:
        sims = titles @ overview.topic(assistant.embedder.queries([item["q"]])[0])
        best = records[int(np.argmax(sims))].name
        sims = np.sort(sims)[::-1]
        print(f"  {item['doc'] or 'none named':<34} best title {best[:30]:<30} margin {sims[0] - sims[1]:.3f}  "
              f"{item['q']}")


def long_document(work: Path) -> None:
    """A summary of a 30-page document (the 20 XQuAD dev articles as one text, 81,000 characters)."""
    from assistant.config import Settings

    folder = work / "long"
    folder.mkdir()
    text = "\n\n".join(p.read_text(encoding="utf-8") for f in XQUAD for p in sorted(f.glob("*.txt")))
    (folder / "long.txt").write_text(text, encoding="utf-8")
    assistant = Assistant(Settings(index_dir=work / "long-index", corpus_dir=work / "none", llm="extractive"))
    start = time.perf_counter()
    assistant.ingest([folder])
    ingest_s = time.perf_counter() - start
    times = []
    for _ in range(3):
        start = time.perf_counter()
        answer = assistant.ask("Summarize the document")
        times.append(time.perf_counter() - start)
    where = ", ".join(f"{c.start / len(text):.0%}" for c in answer.citations)
    print(f"\na 30-page document ({len(text):,} characters, {assistant.store.count()} passages; "
          f"ingest {ingest_s:.0f} s): 'Summarize the document' in {statistics.median(times) * 1000:.0f} ms "
          f"(median of 3), citations at {where} of the text")


if __name__ == "__main__":
    main()
