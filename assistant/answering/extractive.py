"""The default answerer, no LLM: quote the passages that answer, each with its [n], or abstain.

It abstains when no passage covers enough of the question (coverage, see lexical.py) and the dense
similarity is not high on its own: 'What is the capital of Australia?' finds a passage naming
Australia, but none that speaks of a capital.
"""

from collections.abc import Iterator, Sequence

from assistant.answering import messages
from assistant.text import fold, grams
from assistant.types import Answer, Citation, Passage

DENSE_BONUS = 0.5  # dense similarity adds to coverage: close meaning makes up for words that differ
KEEP_RATIO = 0.8  # further passages are quoted only when nearly as good as the best
FOLLOWER_SUPPORT = 0.75  # ... and when they cover this share of what the best must cover


def answerability(passage: Passage) -> float:
    """Coverage of the question's terms plus a share of the dense similarity."""
    return passage.signals.get("support", 0.0) + DENSE_BONUS * max(0.0, passage.signals.get("dense", 0.0))


def supported(passage: Passage, min_support: float) -> bool:
    return answerability(passage) >= min_support


def select(passages: Sequence[Passage], max_citations: int, min_support: float) -> list[Passage]:
    """The passages worth quoting, best first; empty means abstain."""
    if not passages or not supported(passages[0], min_support):
        return []
    best = passages[0]
    chosen = [best]
    for p in passages[1:]:
        if len(chosen) >= max_citations:
            break
        if p.score < KEEP_RATIO * best.score or answerability(p) < FOLLOWER_SUPPORT * min_support:
            continue
        if any(_near_duplicate(p.chunk.text, c.chunk.text) for c in chosen):
            continue
        chosen.append(p)
    return chosen


def _near_duplicate(a: str, b: str) -> bool:
    ga, gb = set(grams(fold(a).replace(" ", "_"), 4)), set(grams(fold(b).replace(" ", "_"), 4))
    return 2 * len(ga & gb) / max(1, len(ga) + len(gb)) > 0.8


def citations_for(chosen: Sequence[Passage]) -> list[Citation]:
    return [
        Citation(n=n, doc=p.chunk.doc_name, doc_id=p.chunk.doc_id, title=p.chunk.title,
                 start=p.chunk.start, end=p.chunk.end, text=p.chunk.text, score=p.score)
        for n, p in enumerate(chosen, start=1)
    ]


def stream(passages: Sequence[Passage], lang: str, max_citations: int, min_support: float) -> Iterator[str | Answer]:
    """Yield the answer's text piece by piece, then the finished Answer."""
    chosen = select(passages, max_citations, min_support)
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
