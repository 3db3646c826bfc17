"""Numbers in questions and passages: a signal that crosses languages where shared words do not.

Digits are written alike in every language: a question that names a number ("para 2025", "AS-206") is
not answered by passages where none of its numbers occurs. And a question asking when or how many is
not answered by passages without any number or date, however near their topic: "When was Mark Rutte
born?" over an article that quotes him. Whether a question asks for one is read from its multilingual
query vector by a logistic regression fitted on example questions written for it in eight languages,
none from an evaluation set (`benchmarks/number_questions.py` fits it and measures both rules on every
development set). A passage holds a number when it has digits, number words (text2num) or month or day
names of its language (Babel's CLDR data).
"""

import contextlib
import re
from collections.abc import Sequence
from difflib import SequenceMatcher
from functools import cache, lru_cache
from pathlib import Path

import numpy as np

from assistant.classifier import load
from assistant.text import fold, words
from assistant.types import Passage

FITTED = Path(__file__).with_name("number_question.json")
ASKS = 0.5  # the regression's own decision boundary: not tuned on any evaluation set
DIGIT = re.compile(r"\d")
# Digits with thousands groups (600,000 · 600 000 · 10.000) or a decimal part; compared without separators.
NUMBER = re.compile(r"\d{1,3}(?:[ \u00a0\u202f.,]\d{3})+(?!\d)|\d+(?:[.,]\d+)?")
MARKER = re.compile(r"\[(\d+)\]")  # a citation marker [n] of a written answer is not a number it states
# "entre quarante et cinquante mille" (40 et 50000) states 40000 too: a number joined by a short word or a
# dash to a larger round thousand or million shares its multiplier (the written "40,000 to 50,000" was removed).
SHARED_SCALE = re.compile(r"(?<![\d.,])(\d{1,3})\s*(?:[-\u2013]|\s\w{1,3}\s)\s*(\d{1,3})((?:000)+)(?!\d)")
TEXT2NUM_LANGS = {"en", "fr", "it", "es", "de", "pt", "nl"}


def asks_number(vector: np.ndarray, model: str) -> float:
    """Probability that the question asks for a number or date; 0 for another embedder's vectors."""
    return load(FITTED).probability(vector, model)


@cache
def _time_words(lang: str) -> frozenset[str]:
    """Month and weekday names of a language, folded (none for a language CLDR does not know)."""
    from babel import Locale, UnknownLocaleError

    try:
        locale = Locale.parse(lang)
    except (UnknownLocaleError, ValueError):
        return frozenset()
    names = [*locale.months["format"]["wide"].values(), *locale.months["stand-alone"]["wide"].values(),
             *locale.days["format"]["wide"].values()]
    return frozenset(fold(n) for n in names)


@lru_cache(maxsize=4096)
def numbers(text: str, lang: str | None) -> frozenset[str]:
    """The numbers a text states, as bare digits; with its language, number words too ('six cent mille' ->
    600000), as the model reads them (with_digits). Without (a question's numbers), digits only: "the three
    ministers" names no number to find."""
    spelled = MARKER.sub(" ", with_digits(text, lang) if lang else text)
    # a range rises: "3 May 2000" does not state 3000
    shared = {a + scale for a, b, scale in SHARED_SCALE.findall(spelled) if int(a) < int(b)}
    return frozenset(re.sub(r"\D", "", m) for m in NUMBER.findall(spelled)) | shared


@lru_cache(maxsize=4096)
def _spelled_out(text: str, lang: str) -> str:
    """Number words turned into digits ("six cent mille" -> 600000); unchanged in a language text2num lacks."""
    if lang not in TEXT2NUM_LANGS:
        return text
    from text_to_num import alpha2digit

    with contextlib.suppress(Exception):  # text2num is strict about some inputs; the digits still count
        return str(alpha2digit(text, lang))
    return text


SCALE = re.compile(r"10{3,}")  # what a lone "millions" or "Million" becomes: no count, only a size


@lru_cache(maxsize=4096)
def with_digits(text: str, lang: str) -> str:
    """The text with its written numbers as digits, for the model to read ("six cent mille" -> 600000): the
    built-in model renders number words as other numbers ("six hundred and ten thousand", MODELS.md) and copies
    digits. A lone scale word stays a word: "des millions de munitions" states no count."""
    spelled = _spelled_out(text, lang)
    if spelled == text:
        return text
    before, after = text.split(" "), spelled.split(" ")
    out: list[str] = []
    for op, a, b, c, d in SequenceMatcher(None, before, after, autojunk=False).get_opcodes():
        digits = NUMBER.findall(" ".join(after[c:d]))
        lone_scale = op == "replace" and b - a == 1 and any(SCALE.fullmatch(n) for n in digits)
        out += before[a:b] if lone_scale else after[c:d]
    return " ".join(out)


@lru_cache(maxsize=4096)
def holds_number(text: str, lang: str) -> bool:
    """Digits, number words ("six cent mille") or a month or day name."""
    if DIGIT.search(text) or DIGIT.search(_spelled_out(text, lang)):
        return True
    return not _time_words(lang).isdisjoint(fold(w) for w in words(text))


def missing_number(passages: Sequence[Passage]) -> bool:
    """Among the best passages (those whose coverage was computed), none holds a number the question
    names, or the question asks for a number or date and none holds one."""
    covered = [p for p in passages if "coverage" in p.signals]
    if any("numbers_found" in p.signals for p in covered) and not any(p.signals.get("numbers_found") for p in covered):
        return True
    if not asks_for_number(passages):
        return False
    return not any(holds_number(p.chunk.text, p.chunk.lang) for p in covered)


def asks_for_number(passages: Sequence[Passage]) -> bool:
    """The question the passages were retrieved for asks for a number or a date (retrieval's signal)."""
    return bool(passages) and passages[0].signals.get("asks_number", 0.0) >= ASKS
