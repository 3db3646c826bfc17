"""The lexical side of the index: BM25 over stems and over character n-grams, plus term coverage.

Rebuilt in memory from the passages Chroma holds, so it can never disagree with the vectors.
Stems (Snowball, accents folded) match inflections; character trigrams match cognates across
languages (résolutions/resolutions, Koursk/Kursk); coverage tells whether a passage speaks to every
part of the question, which is what the answerer needs to abstain honestly.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from assistant.text import content_words, fold, fold_word, grams, stem
from assistant.types import Chunk

NEIGHBOUR_CREDIT = 0.5
COGNATE_DICE = 0.55  # trigram Dice similarity above which two words count as the same word


@dataclass
class Term:
    """One content word of a question, with what it may look like in each document language."""

    word: str
    weight: float
    variants: dict[str, set[str]] = field(default_factory=dict)  # lang -> stems
    translations: set[str] = field(default_factory=set)


def dice(a: frozenset[str], b: frozenset[str]) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


@lru_cache(maxsize=200_000)
def word_grams(word: str) -> frozenset[str]:
    return frozenset(grams(word))


@lru_cache(maxsize=1_000_000)  # bounded: memory follows the index's vocabulary, not the questions asked
def cognate(a: str, b: str) -> bool:
    """Same word across spelling or inflection: occident/occidentaux, Koursk/Kursk."""
    return abs(len(a) - len(b)) <= 3 and dice(word_grams(a), word_grams(b)) >= COGNATE_DICE


class LexicalIndex:
    """BM25 (bm25s) over stems and trigrams of every passage, and per-passage sets for coverage."""

    def __init__(self, chunks: Sequence[Chunk]) -> None:
        import bm25s

        logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every index build at DEBUG
        self.chunks = list(chunks)
        self.langs = sorted({c.lang for c in self.chunks}) or ["en"]
        self.position = {c.id: i for i, c in enumerate(self.chunks)}
        self.stems: list[set[str]] = []
        self.words: list[set[str]] = []
        stem_docs, gram_docs = [], []
        for c in self.chunks:
            cw = content_words(c.text, c.lang)
            stem_list = [stem(w, c.lang) for w in cw]
            self.stems.append(set(stem_list))
            self.words.append({fold_word(w) for w in cw})
            stem_docs.append(stem_list or ["<empty>"])
            gram_docs.append([g for w in cw for g in word_grams(w)] or ["<empty>"])
        self._bm25_stems = bm25s.BM25()
        self._bm25_grams = bm25s.BM25()
        if self.chunks:
            self._bm25_stems.index(stem_docs, show_progress=False)
            self._bm25_grams.index(gram_docs, show_progress=False)

    def __len__(self) -> int:
        return len(self.chunks)

    def scores(self, terms: Sequence[Term]) -> tuple[np.ndarray, np.ndarray]:
        """BM25 scores of every passage against the stems and against the trigrams of the terms."""
        n = len(self.chunks)
        if not n or not terms:
            return np.zeros(n), np.zeros(n)
        stem_query = sorted({s for t in terms for v in t.variants.values() for s in v})
        gram_query = sorted({g for t in terms for w in (t.word, *t.translations) for g in grams(w)})
        return self._score(self._bm25_stems, stem_query), self._score(self._bm25_grams, gram_query)

    def _score(self, bm25: Any, tokens: list[str]) -> np.ndarray:
        ids = bm25.get_tokens_ids(tokens)
        if not ids:
            return np.zeros(len(self.chunks))
        return np.asarray(bm25.get_scores(ids), dtype=np.float64)

    def window(self, i: int) -> list[int]:
        """A passage and its neighbours in the same document: a name is often one sentence away."""
        doc = self.chunks[i].doc_id
        return [j for j in (i - 1, i, i + 1) if 0 <= j < len(self.chunks) and self.chunks[j].doc_id == doc]

    def matches(self, term: Term, i: int) -> bool:
        """Does passage i contain the term: same stem, a dictionary translation, or a cognate."""
        lang = self.chunks[i].lang
        if term.variants.get(lang, set()) & self.stems[i]:
            return True
        if len(term.word) < 4 and fold(term.word) in self.words[i]:
            return True
        return any(cognate(form, w) for form in (term.word, *term.translations) if len(form) >= 4
                   for w in self.words[i])

    def coverage(self, terms: Sequence[Term], i: int) -> float:
        """Weighted share of the question's terms found in passage i; a term found only in a
        neighbouring passage counts NEIGHBOUR_CREDIT (a name is often one sentence away)."""
        total = sum(t.weight for t in terms)
        if total <= 0:
            return 0.0
        neighbours = [j for j in self.window(i) if j != i]
        found = 0.0
        for t in terms:
            if self.matches(t, i):
                found += t.weight
            elif any(self.matches(t, j) for j in neighbours):
                found += NEIGHBOUR_CREDIT * t.weight
        return found / total
