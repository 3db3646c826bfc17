"""Assistant: settings -> store -> retriever -> answerer, composed as one LCEL chain.

The CLI, the UI and the evaluation all go through this class; none of them holds retrieval or
answering logic of its own.
"""

import logging
import shutil
import threading
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

from assistant.answerability import JUDGED, JUDGED_REGIMES, fitted
from assistant.answering import extractive, messages
from assistant.answering.llm import LLMAnswerer, Written
from assistant.config import Settings, cache_dir
from assistant.documents import FULL_PAGE, HTML_SUFFIXES, MAIN_TEXT
from assistant.embeddings import Embedder, load_embedder
from assistant.errors import AssistantError, BadQuestion, DiskFull
from assistant.ingest import IngestReport, Progress, index_document, ingest
from assistant.local_model import BadModelFile
from assistant.overview import Overview
from assistant.retrieval import DenseSearch, PassageRetriever, from_langchain
from assistant.store import DocRecord, Store, recover, writer_died
from assistant.text import detect_language, reader_language
from assistant.types import Answer, Document, Evidence, Passage

log = logging.getLogger(__name__)
INITIALISED = ".initialised"  # written once the default corpus has been offered to a new index
LAYOUT = "passages-v3"  # bump when chunking or what a vector holds changes: indexes are then re-embedded
OVERVIEW_PASSAGES = 5  # passages quoted for a request about a whole document (EVAL.md: at most 5 citations)


def index_key(embedder: Embedder, title_context: bool) -> str:
    """What made an index's vectors; an index made otherwise is re-embedded on open."""
    return f"{embedder.key}/{LAYOUT}{'+title' if title_context else ''}"


class Assistant:
    """One index, one embedder, one chain; thread-safe for questions, one writer at a time."""

    def __init__(self, settings: Settings, progress: Progress | None = None, repair: bool = True) -> None:
        self.settings = settings
        index_dir = settings.index_dir
        index_dir.mkdir(parents=True, exist_ok=True)
        crashed = writer_died(index_dir)
        if crashed and not settings.chroma_url:
            recover(index_dir)  # damaged vectors are set aside, and their documents marked incomplete
        self.embedder = load_embedder(settings.embedder, settings.model_dir, cache_dir(settings))
        self.store = Store(index_dir, self.embedder, index_key(self.embedder, settings.title_context),
                           settings.chroma_url, settings.collection, settings.fault, settings.title_context)
        self.llm = LLMAnswerer(settings, self.embedder) if settings.llm != "extractive" else None
        self.answerability = fitted()
        # the built-in model's judgement confirms an answer before it is written (benchmarks/judge.py); a
        # threshold the user set (ASSISTANT_MIN_SUPPORT) decides alone
        self.judged = fitted(JUDGED) if self.llm is not None and self.llm.judges and settings.llm_judge \
            and settings.min_support is None else None
        self._lock = threading.RLock()
        if crashed:
            with self.store.writing():
                if orphans := self.store.prune():
                    log.warning("removed %d passages of documents a crash left half-removed", orphans)
        if self.store.stale_model:
            log.warning("the index was embedded by %s; re-embedding its %d documents with %s (once)",
                        self.store.stale_model, len(self.store.records), self.store.model)
            with self.store.writing():
                self.store.reset_vectors()
        if repair:
            self._reread_pages(progress)
        self._first_use(progress, repair)
        self._refresh()

    # -- documents ---------------------------------------------------------------------------
    def _first_use(self, progress: Progress | None, repair: bool) -> None:
        """Index the default corpus the first time; finish documents a crash left incomplete."""
        marker = self.settings.index_dir / INITIALISED
        if not marker.exists():
            if self.settings.corpus_dir.is_dir():
                log.info("first use: indexing the default corpus in %s", self.settings.corpus_dir)
                self.ingest([self.settings.corpus_dir], progress, refresh=False)
            marker.touch()
        incomplete = [r for r in self.store.records.values() if not r.complete]
        if incomplete and repair:
            log.warning("indexing %d document(s) from their kept texts", len(incomplete))
            try:
                self.repair(incomplete, progress)
            except DiskFull as exc:  # answer from the complete ones; the next ingest or start finishes them
                log.warning("%s", exc)

    def _reread_pages(self, progress: Progress | None) -> None:
        """Saved web pages indexed before the article extractor (or by an older one) are read again from
        their files, once: their text changes, so they are replaced like an edited file."""
        stale = {Path(r.path): r.name for r in self.store.records.values()
                 if Path(r.path).suffix.lower() in HTML_SUFFIXES and r.extractor not in (MAIN_TEXT, FULL_PAGE)
                 and Path(r.path).is_file()}
        if stale:
            log.warning("reading %d saved web page(s) again for their article text (once)", len(stale))
            self.ingest(list(stale), progress, refresh=False, names=stale)

    def repair(self, records: Sequence[DocRecord], progress: Progress | None = None) -> None:
        with self.store.writing():
            for done, r in enumerate(records, start=1):
                doc = r.document(self.store.text(r.id))
                index_document(self.store, doc)
                if progress:
                    progress(done, len(records), r.name)

    def ingest(self, paths: Sequence[Path], progress: Progress | None = None, refresh: bool = True,
               names: dict[Path, str] | None = None) -> IngestReport:
        max_bytes = int(self.settings.max_file_mb * 1_000_000)
        with self._lock:
            report = ingest(self.store, paths, max_bytes, progress, names)
            if refresh:
                self._refresh()
        return report

    def remove(self, ref: str) -> DocRecord:
        """Remove a document by id (or its prefix), file name or path."""
        with self._lock:
            record = self.find(ref)
            with self.store.writing():
                removed = self.store.remove(record.id)
            self._refresh()
        return removed

    def find(self, ref: str) -> DocRecord:
        records = list(self.store.records.values())
        hits = [r for r in records if ref in (r.id, r.name, r.path, str(Path(ref).resolve()))]
        hits = hits or [r for r in records if len(ref) >= 4 and r.id.startswith(ref)]
        if len(hits) != 1:
            known = ", ".join(f"{r.name} ({r.id[:8]})" for r in records) or "none"
            reason = "matches several documents" if hits else "is not indexed"
            raise AssistantError(f"'{ref}' {reason}; indexed: {known}")
        return hits[0]

    def documents(self) -> list[DocRecord]:
        return sorted(self.store.records.values(), key=lambda r: r.name)

    def text(self, doc_id: str) -> str:
        return self.store.text(doc_id)

    def _refresh(self) -> None:
        self.search = DenseSearch(self.store, self.embedder)
        self.retriever = PassageRetriever(search=self.search, k=max(8, self.settings.citations * 3))
        self.overview = Overview(self.search, self.embedder, OVERVIEW_PASSAGES)
        self.chain = self._chain()

    # -- questions ---------------------------------------------------------------------------
    def _chain(self) -> Any:
        """retrieve | answer, as LCEL: {"question", "history"} -> stream of str, then the Answer."""
        from langchain_core.runnables import RunnableGenerator, RunnableLambda

        return RunnableLambda(self._retrieve) | RunnableGenerator(self._answer)

    def _retrieve(self, inputs: dict[str, Any]) -> dict[str, Any]:
        """A follow-up is searched with the previous question; with an LLM it is also rewritten standalone
        and both rankings are fused. The multilingual embedder needs no translated query."""
        question, history = inputs["question"], list(inputs.get("history", ()))
        lang = reader_language(question)
        notice = None
        covering = self.overview.answer(self.search.vector(question))
        if covering is not None:  # about a whole document: its covering passages, not an answering one
            return {**inputs, "lang": lang, "passages": covering, "overview": True, "notice": None}
        if self.llm is not None and self.llm.rewrites and history:
            try:
                standalone = self.llm.rewrite(question, history)
            except Exception as exc:  # the LLM is down: answer without it, and say so
                log.warning("LLM failed while preparing retrieval: %s", exc)
                notice = self.llm.describe(exc)
            else:
                ranked = [self._search(q, []) for q in dict.fromkeys([standalone, question])]
                return {**inputs, "lang": lang, "passages": fuse(ranked, self.retriever.k), "queries": [standalone]}
        return {**inputs, "lang": lang, "passages": self._search(question, history), "notice": notice}

    def _search(self, question: str, history: Sequence[str]) -> list[Passage]:
        return [from_langchain(d) for d in self.retriever.invoke(question, history=history)]

    def _answer(self, stream: Iterator[dict[str, Any]]) -> Iterator[str | Evidence | Answer]:
        """The extractive evidence at once; then, with a language model, its checked written answer."""
        settings = self.settings
        for inputs in stream:
            lang, notice = inputs["lang"], inputs.get("notice")
            passages = inputs["passages"]
            confirms = None
            if inputs.get("overview"):
                chosen = passages
            else:
                # the regime's language by stop words, as the calibrators were fitted: refitted with
                # reader_language, leave-one-set-out moved both ways (PIAF FA 16 -> 2, XQuAD NA 12 -> 8 of 20)
                asked_in = detect_language(inputs["question"])
                decision = self.answerability.decide(passages, asked_in, settings.min_support)
                chosen = extractive.select(passages, settings.citations) if decision.answerable else []
                if self.judged is not None and decision.regime in JUDGED_REGIMES:
                    confirms = partial(self.judged.confirms, passages, asked_in)
            evidence = None
            for piece in extractive.quote(chosen, lang):
                if isinstance(piece, Answer):
                    evidence = replace(piece, notice=notice)
                else:
                    yield piece
            assert evidence is not None
            if self.llm is None or evidence.abstained or notice:
                yield evidence
                continue
            yield Evidence(evidence.citations)
            yield from self._write(evidence, chosen, inputs["question"], inputs.get("history", ()), lang,
                                   bool(inputs.get("overview")), confirms)

    def _write(self, evidence: Answer, chosen: Sequence[Passage], question: str, history: Sequence[str],
               lang: str, summary: bool = False,
               confirms: Callable[[float], bool] | None = None) -> Iterator[str | Answer]:
        """The model's checked answer after the evidence; `chosen` are the evidence's passages, numbered alike.
        When the model's judgement does not `confirm` that they answer, the answer is an abstention after all:
        the evidence shown at once is withdrawn (EVAL.md: an abstention cites nothing)."""
        assert self.llm is not None
        written, head_shown = None, False
        head = f"\n\n**{messages.written_head(lang)}** "
        try:
            for piece in self.llm.write(chosen, question, history, lang, summary, confirms):
                if isinstance(piece, Written):
                    written = piece
                elif not piece or piece.startswith("\n"):  # a heartbeat, or a note (waiting): not the answer
                    yield piece
                else:
                    yield (head if not head_shown else " ") + piece
                    head_shown = True
        except BadModelFile:
            raise  # a damaged model file is an error to fix, not a reason to answer differently
        except Exception as exc:
            log.warning("the language model failed: %s", exc)
            yield replace(evidence, notice=self.llm.describe(exc))
            return
        assert written is not None
        if written.abstained:
            yield Answer(text=messages.abstain(lang), citations=[], abstained=True, answerer=self.llm.name, lang=lang)
            return
        removed = [r.as_dict() for r in written.removed]
        if written.text is None:
            yield replace(evidence, text=f"{evidence.text}\n\n{messages.no_written(lang)}", answerer=self.llm.name,
                          removed=removed)
        else:
            yield replace(evidence, text=evidence.text + head + written.text, answerer=self.llm.name,
                          written=written.text, removed=removed)

    def validate(self, question: str) -> str:
        question = (question or "").strip()
        if not question:
            raise BadQuestion("the question is empty: type a question about the documents")
        if len(question) > self.settings.max_question_chars:
            raise BadQuestion(
                f"the question is {len(question):,} characters long; the limit is "
                f"{self.settings.max_question_chars:,} (ASSISTANT_MAX_QUESTION_CHARS): ask something shorter"
            )
        return question

    def stream(self, question: str, history: Sequence[str] = ()) -> Generator[str | Evidence | Answer, None, None]:
        """Text pieces as they are ready, then the finished Answer (always last). Before a model writes, the
        Evidence (the quoted passages' citations, to open while it writes). Empty pieces while the model
        works: a caller who stops reading closes the stream, and the model stops (or never starts)."""
        question = self.validate(question)
        if self.store.sync():
            self.search.forget()
        if self.store.count() == 0:
            text = messages.empty_index(reader_language(question))
            yield text
            yield Answer(text=text, citations=[], abstained=True)
            return
        yield from self.chain.stream({"question": question, "history": list(history)})

    def ask(self, question: str, history: Sequence[str] = ()) -> Answer:
        final = None
        for piece in self.stream(question, history):
            if isinstance(piece, Answer):
                final = piece
        assert final is not None
        return final

    def warm(self) -> None:
        """Load what a first question would otherwise wait for: py3langid's model (0.4 s) and, with a model,
        Babel's language names (0.2 s). For the chat, which lives long; a one-shot `ask` pays only if needed."""
        from assistant.text import ngram_language

        ngram_language("warm")
        if self.llm is not None:
            from assistant.answering.llm import language_name

            language_name("en")

    def passages(self, question: str, k: int = 10) -> list[Passage]:
        """The ranked passages for a question (for benchmarks and debugging)."""
        return self.search.search(self.validate(question), (), k)


def fuse(rankings: Sequence[list[Passage]], k: int) -> list[Passage]:
    """One ranking from several queries' rankings: each passage keeps its best score (and its signals)."""
    best: dict[str, Passage] = {}
    for ranking in rankings:
        for p in ranking:
            if p.chunk.id not in best or p.score > best[p.chunk.id].score:
                best[p.chunk.id] = p
    return sorted(best.values(), key=lambda p: -p.score)[:k]


def rebuild(settings: Settings, progress: Progress | None = None) -> Assistant:
    """Rebuild the index from the kept document texts (and the default corpus), even if Chroma is damaged."""
    import json

    index_dir = settings.index_dir
    kept: dict[str, dict[str, str]] = {}
    try:
        manifest = json.loads((index_dir / "manifest.json").read_text(encoding="utf-8"))
        kept = {d["id"]: d for d in manifest["documents"]}
    except (OSError, ValueError, KeyError, TypeError):
        log.warning("manifest unreadable: documents keep their ids as names")
    texts = {p.stem: p.read_text(encoding="utf-8") for p in (index_dir / "docs").glob("*.txt")}
    for sub in ("chroma", "manifest.json", INITIALISED):
        target = index_dir / sub
        if target.is_dir():
            shutil.rmtree(target)
        else:
            target.unlink(missing_ok=True)
    assistant = Assistant(settings, progress)
    with assistant.store.writing():
        for doc_id, text in texts.items():
            if doc_id in assistant.store.records:
                continue
            meta = kept.get(doc_id, {})
            doc = Document(id=doc_id, name=meta.get("name", f"{doc_id}.txt"), title=meta.get("title", doc_id),
                           path=meta.get("path", ""), text=text,
                           **{k: meta.get(k, "") for k in ("date", "author", "site", "extractor")})
            index_document(assistant.store, doc)
    assistant._refresh()
    return assistant

