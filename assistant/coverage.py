"""Coverage: how much of a question a passage speaks to, the answerer's signal for abstaining.

Dense scores alone cannot tell an unanswerable question from an answerable one (e5's cosines sit in a
narrow band, ../shared/MODELS.md); whether the question's rare words occur in the passage can. Words
match by stem or as cognates (spelling skeletons: Koursk/Kursk, Poutine/Putin), which also carries
names and many words across languages. Rarity comes from wordfreq's general frequencies.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from assistant.text import content_words, detect_language, fold_word, grams, stem, zipf
from assistant.types import Chunk

NEIGHBOUR_CREDIT = 0.5  # a word found only in the next or previous passage counts half
COGNATE_DICE = 0.55  # trigram Dice similarity above which two words count as the same word
NUMBER_WEIGHT = 4.0  # a number in a question is as telling as a rare word
HISTORY_WEIGHT = 0.5  # terms of the previous question, for a follow-up


@dataclass(frozen=True)
class Term:
    word: str
    weight: float
    stems: frozenset[str]


@dataclass(frozen=True)
class Question:
    """A question's content words, weighted by rarity, with the stems they may take in a passage."""

    lang: str
    terms: tuple[Term, ...]

    @classmethod
    def of(cls, text: str, earlier: str = "") -> "Question":
        """The question's terms; a previous question's terms (a follow-up's context) count half."""
        lang = detect_language(text)
        terms = {w: Term(w, term_weight(w, lang), frozenset({stem(w, lang)})) for w in content_words(text, lang)}
        if earlier:
            before = detect_language(earlier)
            for w in content_words(earlier, before):
                if w not in terms:
                    terms[w] = Term(w, HISTORY_WEIGHT * term_weight(w, before), frozenset({stem(w, before)}))
        return cls(lang, tuple(terms.values()))


def term_weight(word: str, lang: str) -> float:
    """Rare words carry the question."""
    if word.isdigit():
        return NUMBER_WEIGHT
    return max(0.5, 7.0 - zipf(word, lang))


@lru_cache(maxsize=200_000)
def word_grams(word: str) -> frozenset[str]:
    return frozenset(grams(word))


def dice(a: str, b: str) -> float:
    """Dice similarity of two words' spelling-skeleton trigrams."""
    ga, gb = word_grams(a), word_grams(b)
    return 2 * len(ga & gb) / (len(ga) + len(gb))


@lru_cache(maxsize=1_000_000)  # bounded: memory follows the vocabulary, not the questions asked
def cognate(a: str, b: str) -> bool:
    """Same word across spelling or inflection: occident/occidentaux, Koursk/Kursk."""
    return abs(len(a) - len(b)) <= 3 and dice(a, b) >= COGNATE_DICE


@lru_cache(maxsize=50_000)
def passage_words(text: str, lang: str) -> tuple[frozenset[str], frozenset[str]]:
    """(stems, folded words) of a passage's content words."""
    found = content_words(text, lang)
    return frozenset(stem(w, lang) for w in found), frozenset(fold_word(w) for w in found)


def matches(term: Term, text: str, lang: str) -> bool:
    stems, words = passage_words(text, lang)
    if (term.stems | {stem(term.word, lang)}) & stems or (len(term.word) < 4 and fold_word(term.word) in words):
        return True
    return len(term.word) >= 4 and any(cognate(term.word, w) for w in words)


def coverage(question: Question, passage: Chunk, neighbours: Sequence[Chunk] = ()) -> float:
    """Weighted share of the question's terms found in the passage or its document's title, which is shown with
    it (NEIGHBOUR_CREDIT next to it). The title: PIAF, whose passages seldom repeat their article's subject
    ("En quelle année Jakob Böhme tombe-t-il malade ?"), false abstentions 17 -> 12 of 80 with calibrators
    fitted without it (benchmarks/answerability.py); the other dev sets unchanged."""
    total = sum(t.weight for t in question.terms)
    if total <= 0:
        return 0.0
    found = 0.0
    for t in question.terms:
        if matches(t, passage.text, passage.lang) or matches(t, passage.title, passage.lang):
            found += t.weight
        elif any(matches(t, n.text, n.lang) for n in neighbours):
            found += NEIGHBOUR_CREDIT * t.weight
    return found / total
