"""Provenance in the types: every chunk knows its document and offsets, every citation its exact text."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Document:
    """A decoded source file; `text` is what every offset points into."""

    id: str
    name: str
    title: str
    path: str
    text: str
    date: str = ""  # what a saved web page says of itself (documents.py); empty when it does not say
    author: str = ""
    site: str = ""
    extractor: str = ""  # what made `text` from the file, when that can change (HTML: a main-text extractor)


def byline(site: str, date: str, author: str) -> str:
    """'Global Wire · 2025-03-14 · Maria Keller', with whatever of these a document has."""
    return " · ".join(part for part in (site, date, author) if part)


@dataclass(frozen=True)
class Chunk:
    """A passage of one to three sentences: `doc_text[start:end] == text`."""

    id: str
    doc_id: str
    doc_name: str
    title: str
    start: int
    end: int
    text: str
    lang: str = "en"


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk, its fused score and the signals behind it."""

    chunk: Chunk
    score: float
    signals: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Citation:
    """A numbered source of an answer: exact character offsets into the decoded document."""

    n: int
    doc: str
    doc_id: str
    title: str
    start: int
    end: int
    text: str
    score: float

    def as_dict(self) -> dict[str, object]:
        return {
            "n": self.n, "doc": self.doc, "doc_id": self.doc_id, "title": self.title,
            "start": self.start, "end": self.end, "text": self.text, "score": round(self.score, 4),
        }


@dataclass(frozen=True)
class Evidence:
    """The passages an answer quotes, sent as soon as they are chosen, while a model still writes: the reader
    can open them at once."""

    citations: list[Citation]


@dataclass(frozen=True)
class Answer:
    """What the user gets: text with [n] markers, the citations they name, and who wrote it."""

    text: str
    citations: list[Citation]
    abstained: bool
    answerer: str = "extractive"
    notice: str | None = None
    lang: str = "en"
    written: str | None = None  # a model's checked written answer (its sentences that passed the checks)
    removed: list[dict[str, str]] = field(default_factory=list)  # {"sentence", "reason"} for each not shown

    def as_dict(self) -> dict[str, object]:
        return {
            "answer": self.text, "abstained": self.abstained, "answerer": self.answerer,
            "notice": self.notice, "citations": [c.as_dict() for c in self.citations],
            "written": self.written, "removed": self.removed,
        }
