"""Checks a written answer sentence by sentence against the passages it cites; what fails is not shown.

A small local model invents (../shared/MODELS.md): a number in French words rendered as another number, a
country added to a list, a year added to a date, a clause copied from the prompt's example, the question
handed back as its answer. So every sentence shown must cite a given passage, say something the question does
not, and its numbers and proper names must be in the passages it cites. Numbers are compared as digits after
number words become digits in both languages (text2num); names match in any spelling retrieval matches
(cognates: Poutine/Putin, Koursk/Kursk; OTAN/NATO), or as the same word in another language by the
multilingual embedder (Moscow/Moscou 0.95, Korea/Corée 0.94, where an invented Japan next to Corée scores
0.88).
"""

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np
from anyascii import anyascii

from assistant.chunking import is_abbreviation
from assistant.coverage import dice
from assistant.quantities import MARKER, numbers
from assistant.text import (
    content_words,
    fold_word,
    has_frequencies,
    ngram_language,
    overlap,
    reader_language,
    stem,
    words,
    zipf,
)

# A sentence ends at . ! ? (and any markers right after it), before a space and the next sentence.
SENTENCE = re.compile(r".+?(?:[.!?…]+(?:\s*\[\d+\])*|$)(?=\s+|$)", re.DOTALL)
NAME = re.compile(r"\b[^\W\d_][^\W_]*\b")
QUOTED = re.compile(r"«[^»]*»|“[^”]*”|\"[^\"]*\"")
COMMON_ZIPF = {"de": 4.0}  # German capitalises nouns: only its rarer capitalised words are taken for names
# A word is the passage language's, not the reader's, when it is common there (Zipf >= 3: once in a million
# words) and rare in the reader's language (Zipf < 1.5): "pluies", "insuffisantes" in a Spanish sentence
FOREIGN_ZIPF = (3.0, 1.5)
FOREIGN_WORDS = 2  # one such word may be a loan or a term the reader knows; two are a clause left untranslated
EXAMPLE_OVERLAP = 0.5  # a sentence this close to the prompt's example answer was copied from it
NAME_DICE = 0.5  # looser than retrieval's cognates: Korean/coréennes 0.55, Corea/Corée and Brussels/Bruxelles 0.5
SAME_WORD = 0.89  # e5 cosine of two single words above which they are one name in two languages
ASKING = re.compile(r"[?\uff1f\u061f][\s\"'»”)]*$")  # a sentence that ends as a question (markers aside)
LOOPING = 4  # a run of four words written this often: the model is going round ("sur la costa sur la costa …");
# three words three times cut "the South Korean delegation … the South Korean Ministry … and the South Korean"
WordVectors = Callable[[Sequence[str]], np.ndarray]  # words -> unit vectors (the embedder's passages())


@dataclass(frozen=True)
class Removed:
    sentence: str
    reason: str
    # removed for how it is written (not in the reader's language, the question handed back), not for what it
    # states: the model may be asked again
    again: bool = False

    def as_dict(self) -> dict[str, str]:
        return {"sentence": self.sentence, "reason": self.reason}


def spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence. A piece that ends at an abbreviation or an initial, with no marker,
    goes on into the next: cut at "753 av." or "the U.", the head was removed (it cites nothing) and the
    tail ("J.-C. [1].", "S., and its partners [2].") was shown alone. So does one that ends in a small
    number, in any language: a German ordinal ("Am 28." of "Am 28. Mai 2012 [1].") or a sentence that
    would cite nothing anyway."""
    out: list[tuple[int, int]] = []
    for m in SENTENCE.finditer(text):
        if not m.group().strip():
            continue
        before = text[out[-1][0] : out[-1][1]] if out else ""
        if before and is_abbreviation(before, ordinals=True) and not MARKER.search(before):
            out[-1] = (out[-1][0], m.end())
        else:
            out.append((m.start(), m.end()))
    return out


def sentences(text: str) -> list[str]:
    return [text[a:b].strip() for a, b in spans(text)]


def loops(text: str) -> bool:
    """The model repeats itself within a sentence: seen on a summary sentence in Spanish, 160 tokens of
    "sur la costa" (15 s of the model's time, and shown: it cited its passage and named nothing new)."""
    tokens = [w.lower() for w in words(text)]
    runs = Counter(zip(tokens, tokens[1:], tokens[2:], tokens[3:], strict=False))
    return bool(runs) and max(runs.values()) >= LOOPING


def _not_in_language(sentence: str, passage_lang: str, lang: str) -> str:
    """Why a sentence for a reader of another language than the passages' is not in the reader's language, or
    "" when it is. Quotations and markers aside: a quote stays in the source's language."""
    own = MARKER.sub(" ", QUOTED.sub(" ", sentence))
    if other := _written_in(own, lang):
        return f"written in {other}, not in the reader's language ({lang})"
    if len(foreign := _untranslated(own, passage_lang, lang)) >= FOREIGN_WORDS:
        return f"partly in {passage_lang}, not in the reader's language ({lang}): {', '.join(foreign)}"
    return ""


def _written_in(own: str, lang: str) -> str | None:
    """The other language a sentence is written in, when its stop words and its character n-grams agree
    on it. Either alone misjudges short sentences: "NATO foreign ministers met in Brussels" has Dutch stop
    words ("met", "in")."""
    by_words = reader_language(own, default=lang)
    return by_words if by_words != lang and ngram_language(own) == by_words else None


def _untranslated(own: str, passage_lang: str, lang: str) -> list[str]:
    """Words of the passages' language left in a sentence of the reader's (capitalised words aside: a name
    may stay as the source writes it). A sentence in the reader's language by its stop words may still carry
    a clause of the passage: "Los agricultores … manifestaron que les pluies sont insuffisantes pour les
    semences [2]"."""
    if not (has_frequencies(lang) and has_frequencies(passage_lang)):  # no frequency list: nothing to tell apart
        return []
    common, rare = FOREIGN_ZIPF
    return [w for w in NAME.findall(own) if w[0].islower() and not any(c.isdigit() for c in w)
            and zipf(w, passage_lang) >= common and zipf(w, lang) < rare]


def restates(sentence: str, question: str, lang: str) -> bool:
    """Every content word of the sentence is one of the question's (by stem): the model, lost, turns the
    question into a statement or copies it ("What Columbia President went to Harvard?" -> "The Columbia
    President went to Harvard [1]."; "Che cosa chiede la NATO a Mosca e Pyongyang?" -> "Mosca e Pyongyang
    chiedono che cosa chieda la NATO …"). A yes, or one of two options the question offers, goes too (the check
    cannot tell a right one from a wrong one: "Kursk is in Ukraine [1]."); the evidence above it still holds
    the answer. A sentence of stop words alone ("Three [1].") is not judged."""
    asked = {stem(w, lang) for w in content_words(question, lang)}
    own = {stem(w, lang) for w in content_words(MARKER.sub(" ", sentence), lang)}
    return bool(own) and all(any(_same_stem(w, a) for a in asked) for w in own)


def _same_stem(a: str, b: str) -> bool:
    """Equal, or one begins the other (Romanian "caută" / "căutare": cauta / cautar). Not a spelling likeness:
    DTIME is not "time"."""
    short, longer = sorted((a, b), key=len)
    return a == b or (len(short) >= 4 and longer.startswith(short))


def names(sentence: str, lang: str) -> list[str]:
    """Proper names of a sentence: capitalised words that are not a frequent word of its language
    placed at the start, and acronyms."""
    found = []
    tokens = NAME.findall(MARKER.sub(" ", sentence))
    for i, token in enumerate(tokens):
        if not token[0].isupper() or len(token) < 2:
            continue
        common = zipf(token.lower(), lang)
        if token.isupper() or (i > 0 and common < COMMON_ZIPF.get(lang, 9.0)) or common < 3.0:
            found.append(token)
    return found


def name_in(name: str, source: str, lang: str, vectors: WordVectors | None) -> bool:
    found = {fold_word(w): w for w in words(source)}
    found |= {fold_word(anyascii(w)): w for w in found.values()}  # a source in Cyrillic is read in Latin letters too
    folded = fold_word(anyascii(name))  # Курска -> kurska, which meets Koursk as a cognate
    if folded in found or (name.isupper() and folded[::-1] in found):  # NATO/OTAN
        return True
    if len(folded) >= 4 and any(dice(folded, w) >= NAME_DICE for w in found if len(w) >= 3):
        return True
    stems = {stem(w, lang) for w in found}  # a demonym and its root: Russian / russes (stem 'russ')
    if any(len(s) >= 4 and folded.startswith(s) for s in stems):
        return True
    if vectors is None:
        return False
    candidates = [w for w in found.values() if len(w) >= 3]
    if not candidates:
        return False
    matrix = vectors([name, *candidates])
    return bool(float((matrix[1:] @ matrix[0]).max()) >= SAME_WORD)


def check(text: str, passages: Sequence[str], passage_lang: str, lang: str, examples: Sequence[str] = (),
          vectors: WordVectors | None = None, named: str = "", recite: bool = False,
          question: str = "") -> tuple[list[str], list[Removed]]:
    """(sentences kept, sentences removed with their reason). Markers name passages 1..len(passages).
    `named`: text whose names are not inventions either: the reader's question (a reader who says NATO where
    the passage says OTAN) and the titles shown with every citation. `question`: what a sentence must add to.
    `recite`: the model read all the passages at once, so a sentence whose numbers or names are not in the
    passage it cites but are in another it read cites that one instead (XQuAD dev: "está a 340 millas (550
    kilómetros) de Miami [2]", the figures in [1]); a sentence about one passage alone is held to it."""
    kept: list[str] = []
    removed: list[Removed] = []
    for sentence in sentences(text):
        cited = [int(n) for n in MARKER.findall(sentence)]
        valid = [n for n in cited if 1 <= n <= len(passages)]
        if not valid:
            reason = "cites no passage" if not cited else "cites a passage that was not given"
        elif not words(MARKER.sub(" ", sentence)):  # a bare "[1]." (seen on PIAF) answers nothing
            reason = "says nothing"
        elif loops(sentence):
            reason = "repeats itself"
        elif any(overlap(MARKER.sub("", sentence), example) >= EXAMPLE_OVERLAP for example in examples):
            reason = "copied from the prompt's example"
        elif lang != passage_lang and (not_in_language := _not_in_language(sentence, passage_lang, lang)):
            removed.append(Removed(sentence, not_in_language, again=True))
            continue
        elif question and restates(sentence, question, lang):
            removed.append(Removed(sentence, "says nothing the question does not", again=True))
            continue
        elif ASKING.search(MARKER.sub("", sentence).strip()):  # "Secondo Rutte, di cosa è segno il dispiegamento
            # delle troupes nord-coréennes [2]?": the question asked back, with two words of the passage added
            removed.append(Removed(sentence, "asks instead of answering", again=True))
            continue
        else:
            check_sources = partial(_unsourced, sentence, passages, passage_lang, lang, vectors, named)
            reason = check_sources(valid)
            if reason and recite:
                others = [n for n in range(1, len(passages) + 1) if n not in valid]
                tried = [[n] for n in others] + [[*valid, n] for n in others]
                better = next((ns for ns in tried if not check_sources(ns)), None)
                if better:
                    sentence, reason = ending_with(MARKER.sub("", sentence), *sorted(better)), ""
            if not reason:
                kept.append(sentence)
                continue
        removed.append(Removed(sentence, reason))
    return kept, removed


def _unsourced(sentence: str, passages: Sequence[str], passage_lang: str, lang: str, vectors: WordVectors | None,
               named: str, cited: Sequence[int]) -> str:
    """Why the sentence's numbers or names are not backed by the passages `cited`, or "" when they are."""
    source = " ".join(passages[n - 1] for n in dict.fromkeys(cited))
    if missing := numbers(sentence, lang) - numbers(source, passage_lang):
        return f"number not in its sources: {', '.join(sorted(missing))}"
    if missing_names := [n for n in names(sentence, lang) if not name_in(n, source, passage_lang, vectors)
                         and not name_in(n, named, lang, None)]:
        return f"name not in its sources: {', '.join(missing_names)}"
    return ""


def ending_with(sentence: str, *cited: int) -> str:
    """The sentence with its markers before its end punctuation: "… [1][2]."."""
    head = sentence.rstrip()
    end = head[-1] if head and head[-1] in ".!?…" else "."
    return f"{head.rstrip('.!?… ')} {''.join(f'[{n}]' for n in cited)}{end}"
