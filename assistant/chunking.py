"""Split a document into passages of one to three sentences, each with exact offsets into the text.

Small passages make a citation point at one idea. Sentence ends are found by rule, not by a model:
end punctuation, then any closing quotes (» ” "), then a space and a capital, digit or opening quote;
known abbreviations and initials do not end a sentence; a line break always does.
"""

import re
from collections.abc import Iterator

from assistant.text import detect_language
from assistant.types import Chunk, Document

# General abbreviations of English, French and Italian news text (not taken from any corpus).
ABBREVIATIONS = frozenset([
    "mr", "mrs", "ms", "dr", "prof", "st", "sr", "jr", "gen", "gén", "col", "lt", "sgt", "capt", "cpt", "gov",
    "sen", "rep", "approx", "vs", "ca", "fig", "chap", "éd", "etc", "cf", "pp", "vol", "nos", "av", "env",
    "tél", "inc", "ltd", "corp", "dept", "univ", "jan", "fév", "feb", "avr", "apr", "jul", "juil", "aug", "sep",
    "sept", "oct", "nov", "dec", "déc", "m", "mm", "mme", "mmes", "mlle", "mlles", "mgr", "ndlr", "ndr", "op",
    "cit", "ibid", "dott", "ing", "avv", "pres",
])
_END = re.compile(r"[.!?…]+(?:\s?[»”\"’)\]])*(?=\s+[«“\"(\[A-ZÀ-ÖØ-Þ0-9–—-])")
_LINE = re.compile(r"\n+")
_WORDY = re.compile(r"[^\W_]")
_WORD_BEFORE = re.compile(r"([^\W\d_]+)\.?$")
# "am 28." of "am 28. Mai", "im 18." of "im 18. Jahrhundert"; not a bare "1." numbering a list item
_ORDINAL = re.compile(r"[\s(]\d{1,2}\.$")
# Of the languages a document is told in (text.LANGS), the one that writes an ordinal as a number and a period:
# there "28. Mai" is a date, not a sentence's end (so do Danish, Polish, Czech ..., not told apart for documents)
ORDINAL_PERIOD = frozenset(["de"])

TARGET_CHARS = 80  # a sentence shorter than this is merged with the next one
MAX_CHARS = 500  # a passage never grows past this by merging
HARD_MAX_CHARS = 260  # longer sentences are cut at a clause: a citation should point at one idea
ABSOLUTE_MAX_CHARS = 1_000  # ... and, without a clause outside a quotation, at a space past this
SEPARATORS = (", ", "; ", ": ", " –")
OPENING, CLOSING = "«“", "»”"
MAX_SENTENCES = 3
HEADING_WORDS = 4  # a line this short without end punctuation is a heading, not a passage


def sentences(text: str, lang: str = "") -> Iterator[tuple[int, int]]:
    """(start, end) of each sentence, whitespace trimmed, never spanning a line break. `lang`: the text's
    language, for its ordinals (XQuAD dev's German "bis zum frühen 18. Jahrhundert" was two passages)."""
    pos = 0
    for line in _LINE.split(text):
        line_start = text.index(line, pos) if line else pos
        pos = line_start + len(line)
        cut = 0
        for match in _END.finditer(line):
            if is_abbreviation(line[cut : match.start() + 1], ordinals=lang in ORDINAL_PERIOD):
                continue
            yield from _trimmed(text, line_start + cut, line_start + match.end())
            cut = match.end()
        yield from _trimmed(text, line_start + cut, line_start + len(line))


def is_abbreviation(before: str, ordinals: bool = False) -> bool:
    """The text before a period ends with an abbreviation, an initial or (`ordinals`) a number of 1-2 digits."""
    if ordinals and _ORDINAL.search(before.strip()):
        return True
    match = _WORD_BEFORE.search(before.rstrip("."))
    if not match:
        return False
    word = match.group(1)
    return (len(word) == 1 and word.isupper()) or word.lower() in ABBREVIATIONS


def _trimmed(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end <= start:
        return
    while end - start > HARD_MAX_CHARS and (cut := _clause_cut(text, start, end)):
        yield start, cut
        start = cut
        while start < end and text[start].isspace():
            start += 1
    yield start, end


def _clause_cut(text: str, start: int, end: int) -> int | None:
    """Where a long sentence may be cut: after the last clause separator within HARD_MAX_CHARS that lies
    outside any quotation and leaves a third of the window on each side; never at a bare space, so no
    citation ends inside a name or a number ('... de Vladimir' / 'Poutine.'). A claim keeps its speaker:
    no cut leaves a short tail (« ... », a réitéré le ministre ... Lavrov.) or a tail that closes a
    quotation it did not open (the cut would be inside it). Past ABSOLUTE_MAX_CHARS, any space."""
    depth, best = 0, None
    limit = min(end - HARD_MAX_CHARS // 3, start + HARD_MAX_CHARS)
    quoted_tail = _quoted_tails(text, start, limit, end)
    for i in range(start, limit):
        ch = text[i]
        if ch in OPENING:
            depth += 1
        elif ch in CLOSING:
            depth = max(0, depth - 1)
        elif (depth == 0 and i - start > HARD_MAX_CHARS // 3 and text[i : i + 2] in SEPARATORS
              and not quoted_tail[i - start]):
            best = i + 1
    if best is None and end - start > ABSOLUTE_MAX_CHARS:
        best = text.rfind(" ", start, start + ABSOLUTE_MAX_CHARS) + 1 or start + ABSOLUTE_MAX_CHARS
    return best


def _quoted_tails(text: str, start: int, limit: int, end: int) -> list[bool]:
    """For each position in [start, limit): whether the text from there to `end` closes a quotation
    that it did not open (read backwards: a closing mark is pending until an opening one meets it)."""
    pending, flags = 0, [False] * (limit - start)
    for i in range(end - 1, start - 1, -1):
        if text[i] in CLOSING:
            pending += 1
        elif text[i] in OPENING:
            pending = max(0, pending - 1)
        if i < limit:
            flags[i - start] = pending > 0
    return flags


def chunk(document: Document) -> list[Chunk]:
    """Group sentences into passages: short ones merge (same line only) up to three sentences."""
    text = document.text
    lang = detect_language(text[:20_000], default="en")
    spans: list[tuple[int, int]] = []
    group: list[tuple[int, int]] = []
    for start, end in sentences(text, lang):
        if group and not _WORDY.search(text[start:end]) and "\n" not in text[group[-1][1] : start]:
            group[-1] = (group[-1][0], end)  # a stray closing quote or period belongs to the sentence before
            continue
        if group and (
            "\n" in text[group[-1][1] : start]
            or group[-1][1] - group[0][0] >= TARGET_CHARS
            or end - group[0][0] > MAX_CHARS
            or len(group) >= MAX_SENTENCES
        ):
            spans.append((group[0][0], group[-1][1]))
            group = []
        group.append((start, end))
    if group:
        spans.append((group[0][0], group[-1][1]))
    kept = [(start, end) for start, end in spans if not _is_heading(text[start:end])]
    return [
        Chunk(
            id=f"{document.id}:{start}-{end}", doc_id=document.id, doc_name=document.name,
            title=document.title, start=start, end=end, text=text[start:end], lang=lang,
        )
        for start, end in kept or spans
    ]


def _is_heading(passage: str) -> bool:
    """A short line without end punctuation ('Minneapolis', 'Jakob Böhme') names the subject and answers
    nothing; as a passage it outranked the sentences that answer (the title context already carries it)."""
    return len(passage.split()) <= HEADING_WORDS and not passage.rstrip("»”\"' ").endswith((".", "!", "?", "…"))
