"""Retrieval: dense multilingual-e5 over small passages, as a LangChain retriever.

Each passage is stored as the mean of two vectors, its text alone and its document's title followed by
its text, so a score is the mean of both cosines: the title tells which document a sentence belongs to
(PIAF dev hit@1 49 -> 61 of 80) without drowning the sentence. Coverage (coverage.py), the question's
words found in a passage, nudges the order, and for the best few passages of the dense order it is what the
answerer reads to decide whether to abstain. Every signal here is switched off in turn by
`benchmarks/quality.py`, which prints what each one is worth.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.chunking import chunk
from assistant.coverage import Question, coverage
from assistant.embeddings import Embedder
from assistant.quantities import asks_number, numbers
from assistant.store import Store
from assistant.types import Chunk, Document, Passage

OPENING_QUOTES = ("«", "“", '"', "„")
# A quote that already names its speaker inside (« ... – a déclaré Rutte – ... ») needs no extension.
QUOTE_SPEAKER = re.compile(r"[–—-]\s*\w+ [^–—-]{0,40}[–—-]")
SENTENCE_END = re.compile(r"[.!?…][»”\"’)\]]*\s*$")
WHOLE_SENTENCE_CHARS = 400  # a part grows to the whole sentence up to this; citations stay under 250 on average
COVERED = 3  # passages whose coverage is computed: abstention looks at the best few, not one
SPREAD = 10  # nearest passages whose mean (after the first) is the question's own baseline: the margin
# The question's words found in a passage (coverage) move it up: a passage's score is dense + WORDS x coverage.
# Names and numbers cross languages by spelling where e5-small does not rank them (benchmarks/quality.py,
# "- words in the order"); the abstention still reads the dense order's passages.
WORDS = 0.05


@dataclass(frozen=True)
class Signals:
    """The heuristics on top of dense retrieval, each switchable for the ablation."""

    history: bool = True  # a follow-up is embedded with the previous question
    speaker: bool = True  # a passage opening a quotation is cited with the one naming its speaker
    neighbours: bool = True  # coverage credits a word found one passage away
    numbers: bool = True  # a question asking for a number or date abstains when the best passages hold none
    question_numbers: bool = True  # a question naming a number abstains when none of the best passages has it
    sentences: bool = True  # a passage cut out of a longer sentence is cited with the neighbouring part
    words: bool = True  # the question's words found in a passage move it up the order (WORDS)


class DenseSearch:
    """Ranks the index's passages for a question."""

    def __init__(self, store: Store, embedder: Embedder, signals: Signals | None = None) -> None:
        self.store = store
        self.embedder = embedder
        self.signals = signals or Signals()
        self._passages_of = lru_cache(maxsize=4096)(self._chunk_document)
        # a few: recognising a request and searching embed the question once (not a cache of past questions)
        self._vector = lru_cache(maxsize=4)(lambda text: self.embedder.queries([text])[0])

    def search(self, question: str, history: Sequence[str] = (), k: int = 8) -> list[Passage]:
        if self.store.count() == 0:
            return []
        earlier = list(history[-1:]) if self.signals.history else []
        vector = self.vector(" ".join([*earlier, question]))
        hits = self.store.dense(vector, max(k, SPREAD))
        rest = [sim for _, sim in hits[1:]] or [sim for _, sim in hits[:1]]  # alone, a passage stands out of nothing
        baseline = sum(rest) / len(rest) if rest else 0.0
        query = Question.of(question, " ".join(earlier))
        asks = asks_number(self.vector(question), self.embedder.key) if self.signals.numbers else 0.0
        named = numbers(question, None) if self.signals.question_numbers else frozenset()  # its digits
        passages = []
        for rank, (cid, sim) in enumerate(hits[:k]):
            found = self._locate(cid)
            if found is None:  # a document removed since the search began
                continue
            chunks, i = found
            signals = {"dense": sim, "margin": sim - baseline, "asks_number": asks}
            if rank < COVERED:  # what the abstention reads: the dense order's best few
                window = chunks[max(0, i - 1) : i + 2] if self.signals.neighbours else [chunks[i]]
                signals["coverage"] = coverage(query, chunks[i], [c for c in window if c is not chunks[i]])
            cited = self.with_speaker(chunks, i) if self.signals.speaker else chunks[i]
            if self.signals.sentences:
                cited = self.whole_sentence(chunks, i, cited)
            if rank < COVERED and named:
                signals["numbers_found"] = float(not named.isdisjoint(numbers(cited.text, cited.lang)))
            signals["words"] = coverage(query, cited)  # what the reader will see, and nothing next to it
            score = sim + WORDS * signals["words"] if self.signals.words else sim
            passages.append(Passage(cited, score, signals))
        return sorted(passages, key=lambda p: -p.score)  # a follow-up's rankings are fused by this score too

    def chunks(self, doc_id: str) -> list[Chunk]:
        """A complete document's passages, in order (empty for an unknown or incomplete one)."""
        record = self.store.records.get(doc_id)
        return self._passages_of(doc_id, record.name, record.title) if record and record.complete else []

    def vector(self, question: str) -> np.ndarray:
        """The question's query vector (cached: recognising a request and searching embed it once)."""
        return self._vector(question)

    def forget(self) -> None:
        """Documents changed under us (another process): re-chunk on demand."""
        self._passages_of.cache_clear()

    def _locate(self, cid: str) -> tuple[list[Chunk], int] | None:
        """The passage's document, chunked again (deterministic, cached), and its position in it."""
        doc_id, _, span = cid.partition(":")
        chunks = self.chunks(doc_id)  # none: removed, or still being written by another process
        start = int(span.split("-")[0])
        for i, c in enumerate(chunks):
            if c.start == start:
                return chunks, i
        return None

    def _chunk_document(self, doc_id: str, name: str, title: str) -> list[Chunk]:
        text = self.store.text(doc_id)
        return chunk(Document(id=doc_id, name=name, title=title, path="", text=text))

    def with_speaker(self, chunks: list[Chunk], i: int) -> Chunk:
        """A passage that opens a quotation is cited with the next one, which usually names the speaker
        (« Je peux le confirmer ... » C'est ce qu'a déclaré ... Mark Rutte): a quote without its source
        answers no 'who'. The citation stays an exact slice of the document."""
        current = chunks[i]
        nxt = chunks[i + 1] if i + 1 < len(chunks) else None
        if not current.text.startswith(OPENING_QUOTES) or nxt is None:
            return current
        text = self.store.text(current.doc_id)
        if "\n" in text[current.end : nxt.start] or QUOTE_SPEAKER.search(current.text[1:]):
            return current
        return replace(current, id=f"{current.id}+", end=nxt.end, text=text[current.start : nxt.end])

    def whole_sentence(self, chunks: list[Chunk], i: int, cited: Chunk) -> Chunk:
        """A passage cut out of a long sentence (it starts in lower case, or stops without end punctuation)
        is cited with the neighbouring part on that side: a clause is not shown without its subject or its
        end ("…, meistens stammt sie aus der Verfeuerung …"). Retrieval still ranks the parts, whose
        vectors are sharper; only the citation grows."""
        text = self.store.text(cited.doc_id)
        start, end = cited.start, cited.end
        before = chunks[i - 1] if i > 0 else None
        if cited.text[:1].islower() and before is not None and "\n" not in text[before.end : start]:
            start = before.start
        after = next((c for c in chunks[i + 1 :] if c.start >= end), None)
        if not SENTENCE_END.search(cited.text) and after is not None and "\n" not in text[end : after.start]:
            end = after.end
        if (start, end) == (cited.start, cited.end) or end - start > WHOLE_SENTENCE_CHARS:
            return cited
        return replace(cited, id=f"{cited.doc_id}:{start}-{end}", start=start, end=end, text=text[start:end])


class PassageRetriever(BaseRetriever):
    """DenseSearch as a LangChain retriever: the chain calls it (retriever | answerer)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    search: DenseSearch
    k: int = 8

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, history: Sequence[str] = ()
    ) -> list[LCDocument]:
        return [to_langchain(p) for p in self.search.search(query, history, self.k)]


def to_langchain(passage: Passage) -> LCDocument:
    c = passage.chunk
    return LCDocument(
        id=c.id, page_content=c.text,
        metadata={"doc_id": c.doc_id, "doc_name": c.doc_name, "title": c.title, "start": c.start,
                  "end": c.end, "lang": c.lang, "score": passage.score, "signals": passage.signals},
    )


def from_langchain(doc: LCDocument) -> Passage:
    m = doc.metadata
    chunk_ = Chunk(id=doc.id or "", doc_id=m["doc_id"], doc_name=m["doc_name"], title=m["title"],
                   start=m["start"], end=m["end"], text=doc.page_content, lang=m["lang"])
    return Passage(chunk_, m["score"], dict(m["signals"]))

