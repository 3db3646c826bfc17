"""Keeping an LLM honest about its [n] markers, while it streams.

Markers that name no given passage are dropped; kept ones are renumbered in the order the answer first
cites them, so [1] is always the first source shown. Text is held back until the first valid marker
arrives: a reply with no valid citation never reaches the user as an uncited claim.
"""

import re
from collections.abc import Iterator, Sequence

from assistant.answering.extractive import citations_for
from assistant.types import Citation, Passage

# [3], [1, 2], [1][2], [passage 2] and other forms models produce; a lone bracket is held until it closes.
MARKER = re.compile(r"\[\s*(?:passages?\s*|source\s*|n\s*=\s*)?(\d+(?:\s*[,;]\s*\d+)*)\s*\]", re.IGNORECASE)
OPEN_TAIL = re.compile(r"\[[^\]]{0,24}$")


class CitationFilter:
    """Feed it streamed text; it yields what may be shown, with valid, renumbered markers."""

    def __init__(self, passages: Sequence[Passage]) -> None:
        self.passages = list(passages)
        self.order: list[int] = []  # passage indexes (0-based) in order of first citation
        self._pending = ""
        self._held = ""  # validated text not shown yet because no valid marker has appeared
        self.shown = ""

    def feed(self, piece: str) -> Iterator[str]:
        self._pending += piece
        tail = OPEN_TAIL.search(self._pending)
        ready, self._pending = (self._pending[: tail.start()], self._pending[tail.start():]) if tail \
            else (self._pending, "")
        yield from self._release(self._rewrite(ready))

    def close(self) -> Iterator[str]:
        """The end of the stream: flush what is left (only if something was cited)."""
        yield from self._release(self._rewrite(self._pending))
        self._pending = ""

    def _rewrite(self, text: str) -> str:
        def replace(m: re.Match[str]) -> str:
            out = []
            for number in re.split(r"\s*[,;]\s*", m.group(1)):
                i = int(number) - 1
                if 0 <= i < len(self.passages):
                    if i not in self.order:
                        self.order.append(i)
                    out.append(f"[{self.order.index(i) + 1}]")
            return "".join(out)

        return MARKER.sub(replace, text)

    def _release(self, text: str) -> Iterator[str]:
        if not self.order:
            self._held += text
            return
        text, self._held = self._held + text, ""
        if text:
            self.shown += text
            yield text

    @property
    def cited(self) -> bool:
        return bool(self.order)

    def citations(self) -> list[Citation]:
        return citations_for([self.passages[i] for i in self.order])


def tidy(text: str) -> str:
    """Spaces left where dropped markers were."""
    return re.sub(r"[ \t]+([.,;:!?])", r"\1", re.sub(r"[ \t]{2,}", " ", text)).strip()
