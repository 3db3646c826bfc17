"""Document-level requests (summaries, main points, what it is about): recognised, and answered as asked.

Fits the request classifier on the examples written for it (`data/overview_examples.json`, with the number
classifier's example questions as more questions; `--write` saves it to assistant/document_request.json), then
prints (1) how many dev requests it recognises and how many questions of the dev sets (and follow-ups) it takes
for a request, with and without the likeness floor, beside the rule it replaced; (2) for each dev request, the
checks the extractive answer must pass: not abstained; at least 3 citations, all from the requested document
(at least 2 documents for "these articles"); one in the document's first quarter; citations starting in at
least two of its thirds; with `--written`, the built-in model's summaries of the requests over news texts
too: at least 2 checked sentences, each marked with a citation's number, in the request's language (issue 18).
Run: `.venv/bin/python benchmarks/overview.py [--write] [--written]` (`make bench` runs it without).
"""

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from assistant import classifier
from assistant.answering.checks import sentences
from assistant.assistant import Assistant
from assistant.overview import CLASSIFIER, IS_REQUEST, MIN_LIKENESS, NAMED_MARGIN
from assistant.quantities import MARKER
from assistant.text import ngram_language
from benchmarks.devsets import DATA, NEWS, PIAF, SETS, XQUAD, items, open_index

REQUESTS = DATA / "overview_requests.json"
NAMING = DATA / "overview_naming.json"  # requests naming a document by its topic (session 12)
EXAMPLES = DATA / "overview_examples.json"
OWN_NEWS = [DATA / "news", *NEWS]  # the default article and two French news texts written for this benchmark
FOLLOW_UPS = ["Where did he say it?", "Qu'a-t-il dit de l'accord ?", "Et à Pyongyang ?",  # tests/test_load.py
              "What did he say about Western soldiers?", "Qui l'a dit ?", "How much did the restoration cost?",
              "Combien de tracteurs ont bloqué Toulouse ?", "Che cosa chiedono gli agricoltori?",
              "¿Quién presidió la ceremonia?", "Was hat Lawrow über den Vertrag gesagt?"]
# The rule the regression replaced: likeness >= 0.855 and 0.03 more than to the nearest of these questions
OLD_RULE = (0.855, 0.03)
OLD_QUESTIONS = ("What did he say about it?", "Where was she speaking?", "Who said that?", "What did she claim?",
                 "When did it happen?", "Why did they do it?", "How many were there?", "What did they agree on?")


def fit(assistant: Assistant) -> classifier.QueryClassifier:
    examples = json.loads(EXAMPLES.read_text(encoding="utf-8"))
    numbers = json.loads((DATA / "number_questions.json").read_text(encoding="utf-8"))
    questions = [*examples["questions"], *numbers["number"], *numbers["other"]]
    embedder = assistant.embedder
    return classifier.fit(embedder.key, embedder.queries(examples["requests"]), embedder.queries(questions))


def recognition(indexes: dict[str | None, Assistant], fitted: classifier.QueryClassifier,
                requests: list[tuple[str, str | None]], questions: list[tuple[str, str | None]]) -> None:
    """Requests recognised and questions taken for one, by each rule; (text, the index it is asked over), the
    index's titles being what the second reading takes out."""
    some = indexes[None]
    key = some.embedder.key
    assert fitted.mean is not None  # fit() keeps it
    old = some.embedder.queries(list(OLD_QUESTIONS))

    def rates(asked: list[tuple[str, str | None]]) -> dict[str, int]:
        vectors = some.embedder.queries([text for text, _ in asked])
        unnamed = np.stack([indexes[docs].overview.unnamed(v, fitted.mean)
                            for (_, docs), v in zip(asked, vectors, strict=True)])

        def regression(vs: np.ndarray) -> np.ndarray:
            return np.array([fitted.probability(v, key) for v in vs]) >= IS_REQUEST

        def like(vs: np.ndarray) -> np.ndarray:
            return np.array([some.overview.likeness(v) for v in vs])

        liked, regressed = like(vectors), regression(vectors)
        as_is = regressed & (liked >= MIN_LIKENESS)
        before = (liked >= OLD_RULE[0]) & (liked - (vectors @ old.T).max(axis=1) >= OLD_RULE[1])
        return {
            "regression with the floor, read again without the nearest title (shipped)":
                int((as_is | (regression(unnamed) & (like(unnamed) >= MIN_LIKENESS))).sum()),
            "regression with the floor, as asked only": int(as_is.sum()),
            f"regression without the likeness floor {MIN_LIKENESS}": int(regressed.sum()),
            f"likeness >= {MIN_LIKENESS} alone": int((liked >= MIN_LIKENESS).sum()),
            "before: likeness >= 0.855 and contrast >= 0.03": int(before.sum()),
        }

    asked, taken = rates(requests), rates(questions)
    print(f"recognition ({len(requests)} dev requests; {len(questions)} dev questions and follow-ups):")
    print(f"  {'rule':<75} {'requests recognised':>20} {'questions taken':>16}")
    for rule in asked:
        print(f"  {rule:<75} {asked[rule]:>20} {taken[rule]:>16}")


def checks(assistant: Assistant, item: dict[str, Any]) -> list[str]:
    """What the answer to one request gets wrong (empty: all passed); with the built-in model, its written
    summary too: at least 2 checked sentences, each with a marker of a citation, in the request's language."""
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
    if assistant.settings.llm != "extractive":
        written = sentences(answer.written or "")
        if len(written) < 2:
            wrong.append(f"{len(written)} written sentences")
        cited = {c.n for c in cites}
        if any(not MARKER.search(w) or not {int(n) for n in MARKER.findall(w)} <= cited for w in written):
            wrong.append("a sentence without a valid marker")
        if other := {ngram_language(MARKER.sub(" ", w)) for w in written} - {item["lang"]}:
            wrong.append("written in " + ", ".join(sorted(other)))
    return wrong


def answered(indexes: dict[str | None, Assistant], requests: list[dict[str, Any]], llm: str) -> None:
    """Each dev request answered by `llm` and checked (checks())."""
    print(f"\n{llm} answers to the dev requests:")
    answerers = {docs: index if llm == "extractive" else Assistant(index.settings.model_copy(update={"llm": llm}))
                 for docs, index in indexes.items() if any(i.get("docs") == docs for i in requests)}
    passed = 0
    for item in requests:
        wrong = checks(answerers[item.get("docs")], item)
        passed += not wrong
        print(f"  {'ok ' if not wrong else 'NO '} {item['id']:<16} {item['q'][:50]:<50} {'; '.join(wrong)}")
    print(f"  passed {passed} of {len(requests)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true", help=f"save the classifier to {CLASSIFIER}")
    parser.add_argument("--work", type=Path, help="keep the indexes in this folder between runs")
    parser.add_argument("--written", action="store_true",
                        help="also check the built-in model's written summaries of the requests over news texts")
    args = parser.parse_args()
    requests = items(REQUESTS)
    with tempfile.TemporaryDirectory(prefix="overview-") as tmp:
        work = args.work or Path(tmp)
        indexes = {None: open_index(NEWS, work), "piaf": open_index(PIAF, work), "news": open_index(OWN_NEWS, work),
                   "xquad": open_index(XQUAD, work)}
        fitted = fit(indexes[None])
        if args.write:
            fitted.save(CLASSIFIER, about=f"fitted by benchmarks/overview.py on {EXAMPLES.name}, number_questions.json")
            print(f"written: {CLASSIFIER}")
        over = {NEWS[0]: None, PIAF[0]: "piaf", XQUAD[0]: "xquad"}  # each dev set asked over its own documents
        questions = [(i["q"], over[folders[0]]) for _, path, folders in SETS for i in items(path)]
        recognition(indexes, fitted, [(i["q"], i.get("docs")) for i in requests + items(NAMING)],
                    questions + [(q, None) for q in FOLLOW_UPS])
        answered(indexes, requests, "extractive")
        if args.written:  # the built-in model: about 15 s a request on 2 cores
            answered(indexes, [i for i in requests if i.get("docs") != "piaf"], "local")
        named = requests + items(NAMING)
        for docs in ("piaf", "news", "xquad"):
            naming(indexes[docs], [i for i in named if i.get("docs") == docs])
        long_document(work)


def naming(assistant: Assistant, requests: list[dict[str, Any]]) -> None:
    """Which document each request names, from what is left of it once its nearest example request is taken
    out (overview.Overview._documents), with the titles embedded as queries (shipped) and as passages (before):
    the best title's margin over the next is large when a document is named."""
    overview, embedder = assistant.overview, assistant.embedder
    records = [r for r in assistant.documents() if r.complete]
    ways = {"as queries": np.stack([overview.title_vector(r.title) for r in records]),
            "as passages": embedder.passages([r.title for r in records])}
    print(f"\nwhich document a request names ({len(records)} documents; named when the margin >= {NAMED_MARGIN}):")
    tally = {way: [0, 0, 0, 0] for way in ways}  # named and found, named but missed or wrong, unnamed taken for named
    for item in requests:
        topic = overview.topic(embedder.queries([item["q"]])[0])
        cells = []
        for way, titles in ways.items():
            sims = titles @ topic
            best, (first, second) = records[int(np.argmax(sims))].name, np.sort(sims)[::-1][:2]
            named = first - second >= NAMED_MARGIN
            if item["doc"]:
                tally[way][0 if named and best == item["doc"] else 1 if not named else 2] += 1
            else:
                tally[way][3] += named
            cells.append(f"{best[:24]:<24} {first - second:.3f}")
        print(f"  {item['doc'] or 'none named':<34} " + "  ".join(cells) + f"  {item['q']}")
    for way, (found, missed, wrong, taken) in tally.items():
        print(f"  titles {way:<12}: named and found {found}, named but missed {missed}, wrong document {wrong}, "
              f"unnamed taken for named {taken}")


def long_document(work: Path) -> None:
    """A summary of a 30-page document (the 20 XQuAD dev articles as one text, 81,000 characters)."""
    from assistant.config import Settings

    folder = work / "long"
    folder.mkdir(exist_ok=True)
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
