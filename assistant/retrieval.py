"""Hybrid retrieval: dense MiniLM similarity fused with lexical signals that cross languages.

MiniLM is English-trained; on French text with English questions dense retrieval alone is weak
(../shared/MODELS.md). Stems, dictionary translations and character trigrams recover much of it, and
coverage (how much of the question a passage answers) both ranks and decides abstention.
Measured by `make bench` (benchmarks/quality.py).
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.embeddings import Embedder
from assistant.lexical import LexicalIndex, Term
from assistant.store import Store
from assistant.text import content_words, detect_language, refers_back, stem
from assistant.translation import Translator
from assistant.types import Chunk, Passage

# Fusion weights: tuned on the dev questions plus tests/data/extra_questions.json (benchmarks/quality.py).
WEIGHTS = {"dense": 0.2, "stems": 0.2, "grams": 0.1, "support": 0.5}
NUMBER = re.compile(r"^\d+$")
ACRONYM = re.compile(r"\b[A-Z]{2,5}\b")
CONTEXT_WEIGHT = 0.5  # terms carried over from the previous question count half ...
REFERRED_WEIGHT = 1.0  # ... or fully when the question points back at them ("what did he say?")
OPENING_QUOTES = ("«", "“", '"', "„")
# A quote that already names its speaker inside (« ... – a déclaré Rutte – ... ») needs no extension.
QUOTE_SPEAKER = re.compile(r"[–—-]\s*\w+ [^–—-]{0,40}[–—-]")


@dataclass
class Query:
    """A question analysed once: its language, weighted terms and embedding."""

    text: str
    lang: str
    terms: list[Term]
    context_terms: list[Term]
    vector: np.ndarray
    refers_back: bool = False  # a pronoun stands for someone named earlier: the passage must name them too


def term_weight(word: str, lang: str) -> float:
    """Rare words carry the question; wordfreq's general frequencies say which are rare."""
    from wordfreq import zipf_frequency

    if NUMBER.match(word):
        return 4.0
    return max(0.5, 7.0 - zipf_frequency(word, lang))


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Indexes of the k highest scores that are above zero, in no order (argpartition: O(n), not a sort)."""
    scores_k = np.argpartition(-scores, k)[:k] if len(scores) > k else np.arange(len(scores))
    return scores_k[scores[scores_k] > 0]


class HybridSearch:
    """Ranks the index's passages for a question; the LangChain retriever below wraps it."""

    def __init__(self, store: Store, lexical: LexicalIndex, embedder: Embedder, translator: Translator,
                 candidates: int = 30) -> None:
        self.store = store
        self.lexical = lexical
        self.embedder = embedder
        self.translator = translator
        self.candidates = candidates

    def analyse(self, question: str, history: Sequence[str] = ()) -> Query:
        lang = detect_language(question)
        terms = self._terms(question, lang)
        context_terms: list[Term] = []
        pointing = bool(history) and refers_back(question, lang)
        for earlier in history[-1:]:
            context_terms = [t for t in self._terms(earlier, detect_language(earlier))
                             if t.word not in {x.word for x in terms}]
            for t in context_terms:
                t.weight *= REFERRED_WEIGHT if pointing else CONTEXT_WEIGHT
        dense_text = " ".join([*history[-1:], question])
        return Query(question, lang, terms, context_terms, self.embedder.embed([dense_text])[0], pointing)

    def _terms(self, text: str, lang: str) -> list[Term]:
        words = list(dict.fromkeys(content_words(text, lang)))
        terms = [Term(word=w, weight=term_weight(w, lang)) for w in words]
        acronyms = {m.lower() for m in ACRONYM.findall(text)}
        for doc_lang in self.lexical.langs:
            translated = self.translator.translate(words, lang, doc_lang)
            for t in terms:
                extra = translated.get(t.word, set())
                if t.word in acronyms:  # Romance languages reverse many acronyms: NATO/OTAN, EU/UE
                    extra = extra | {t.word[::-1]}
                t.translations |= extra
                t.variants[doc_lang] = {stem(t.word, doc_lang), stem(t.word, lang)} | {stem(x, doc_lang) for x in extra}
        return terms

    def search(self, query: Query, k: int) -> list[Passage]:
        n = len(self.lexical)
        if n == 0:
            return []
        terms = query.terms + query.context_terms
        stems, grams = self.lexical.scores(terms)
        dense = np.zeros(n)
        for cid, sim in self.store.dense(query.vector, self.candidates):
            i = self.lexical.position.get(cid)
            if i is not None:
                dense[i] = sim
        top = self.candidates
        pool = set(top_k(dense, top)) | set(top_k(stems, top)) | set(top_k(grams, top))
        stems_max, grams_max = max(stems.max(), 1e-9), max(grams.max(), 1e-9)
        passages = []
        for i in pool:
            signals = {
                "dense": float(dense[i]),
                "stems": float(stems[i] / stems_max),
                "grams": float(grams[i] / grams_max),
                "support": self.lexical.coverage(query.terms, i) if query.terms else 0.0,
            }
            if query.context_terms:
                signals["context"] = self.lexical.coverage(terms, i)
                signals["support"] = (signals["context"] if query.refers_back
                                      else max(signals["support"], signals["context"]))
            score = sum(WEIGHTS[name] * signals[name] for name in WEIGHTS)
            passages.append(Passage(self._with_speaker(i), score, signals))
        passages.sort(key=lambda p: -p.score)
        return passages[:k]

    def _with_speaker(self, i: int) -> Chunk:
        """A passage that opens a quotation is cited with the next one, which usually names the speaker
        (« Je peux le confirmer ... » C'est ce qu'a déclaré ... Mark Rutte): a quote without its source
        answers no 'who'. The citation stays an exact slice of the document."""
        chunk = self.lexical.chunks[i]
        nxt = self.lexical.chunks[i + 1] if i + 1 < len(self.lexical.chunks) else None
        if not chunk.text.startswith(OPENING_QUOTES) or nxt is None or nxt.doc_id != chunk.doc_id:
            return chunk
        text = self.store.text(chunk.doc_id)
        if "\n" in text[chunk.end : nxt.start] or QUOTE_SPEAKER.search(chunk.text[1:]):
            return chunk
        return replace(chunk, id=f"{chunk.id}+", end=nxt.end, text=text[chunk.start : nxt.end])


class PassageRetriever(BaseRetriever):
    """HybridSearch as a LangChain retriever, so it composes with chains (retriever | answerer)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    search: HybridSearch
    k: int = 8

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, history: Sequence[str] = ()
    ) -> list[LCDocument]:
        analysed = self.search.analyse(query, history)
        return [to_langchain(p) for p in self.search.search(analysed, self.k)]


def to_langchain(passage: Passage) -> LCDocument:
    c = passage.chunk
    return LCDocument(
        id=c.id, page_content=c.text,
        metadata={"doc_id": c.doc_id, "doc_name": c.doc_name, "title": c.title, "start": c.start,
                  "end": c.end, "lang": c.lang, "score": passage.score, "signals": passage.signals},
    )
