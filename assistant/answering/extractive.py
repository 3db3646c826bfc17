"""The extractive answerer, no LLM: quote the passages that answer, each with its [n], or abstain.

Whether to abstain is decided before it (answerability.py); this module chooses and quotes.
"""

from collections.abc import Iterator, Sequence

from assistant.answering import messages
from assistant.text import overlap
from assistant.types import Answer, Citation, Passage

NEAR_DUPLICATE = 0.8  # 4-gram overlap above which a passage repeats one already cited


def select(passages: Sequence[Passage], max_citations: int) -> list[Passage]:
    """The best passages, in rank order, without repeats. (Citing fewer when the scores fall away was
    measured and cost cite@3 for nothing: e5's scores fall little.)"""
    if not passages:
        return []
    best = passages[0]
    chosen = [best]
    for p in passages[1:]:
        if len(chosen) >= max_citations:
            break
        if any(overlap(p.chunk.text, c.chunk.text) > NEAR_DUPLICATE or _overlaps(p, c) for c in chosen):
            continue
        chosen.append(p)
    return chosen


def _overlaps(a: Passage, b: Passage) -> bool:
    return a.chunk.doc_id == b.chunk.doc_id and a.chunk.start < b.chunk.end and b.chunk.start < a.chunk.end


def citations_for(chosen: Sequence[Passage]) -> list[Citation]:
    return [
        Citation(n=n, doc=p.chunk.doc_name, doc_id=p.chunk.doc_id, title=p.chunk.title,
                 start=p.chunk.start, end=p.chunk.end, text=p.chunk.text, score=p.score)
        for n, p in enumerate(chosen, start=1)
    ]


def quote(chosen: Sequence[Passage], lang: str) -> Iterator[str | Answer]:
    """The chosen passages quoted with their [n] (numbered in order), piece by piece, then the Answer;
    none chosen is the abstention."""
    if not chosen:
        text = messages.abstain(lang)
        yield text
        yield Answer(text=text, citations=[], abstained=True, lang=lang)
        return
    citations = citations_for(chosen)
    pieces = [messages.lead(lang)]
    yield pieces[0]
    for c in citations:
        piece = f"\n\n{' '.join(c.text.split())} [{c.n}]"
        pieces.append(piece)
        yield piece
    yield Answer(text="".join(pieces), citations=citations, abstained=False, lang=lang)
