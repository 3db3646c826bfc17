"""Requests about a whole document (summarise it, its main points, what it is about): a sibling of retrieval.

Such a request has no passage that answers it, so retrieval's abstention would be the right call for the
wrong kind of question. It is recognised by meaning, by the multilingual embedder against a handful of
English example requests (measured in five languages by `benchmarks/overview.py`), and answered with the
passages that cover the document: its lead, then the most central passage of each third, then the most
central of the rest that repeat nothing chosen (maximal marginal relevance), in document order.
"""

from collections.abc import Sequence
from functools import cached_property, lru_cache

import numpy as np

from assistant.embeddings import Embedder
from assistant.retrieval import DenseSearch
from assistant.types import Chunk, Passage

EXAMPLES = (
    "Summarize the article.",
    "What is this article about?",
    "What are the main points of the text?",
    "Give me a summary of the document.",
    "What are the key points?",
    "Who is mentioned in the article?",
    "What happened, in order?",
)
# Questions about one thing, whose short forms ("Where did he say it?") sit as near the requests as requests do
QUESTIONS = (
    "What did he say about it?",
    "Where was she speaking?",
    "Who said that?",
    "What did she claim?",
    "When did it happen?",
    "Why did they do it?",
    "How many were there?",
    "What did they agree on?",
)
# A request is at least THRESHOLD like its nearest example request and CONTRAST more like it than like the
# nearest question: above all 263 questions of the dev sets (highest 0.848; the follow-ups "Where did he say
# it?" 0.887 and "Qu'a-t-il dit de l'accord ?" 0.878 are nearer a question), 30 of the 33 dev requests
# (benchmarks/overview.py)
THRESHOLD = 0.855
CONTRAST = 0.03
NAMED_MARGIN = 0.05  # the best title stands this far above the next one: the request named its document
# A request that names its document ("Di cosa parla il testo su Berlino?") sits below THRESHOLD (0.83-0.85):
# the name pulls it away from the examples. In that band, when a title stands out, the request is compared with
# the examples and questions written about that title; dev: 2 of the 3 named requests recognised (contrast
# 0.040 and 0.042), none of the 17 dev questions in the band (contrast at most 0.014; benchmarks/overview.py)
NAMED_BAND = 0.80
NAMED_REQUESTS = ("Summarize the article about {}.", "What is the text about {} about?",
                  "What are the main points of the article on {}?")
NAMED_QUESTIONS = ("What did he say about {}?", "When did it happen in {}?", "How many were there in {}?",
                   "Why did they do it, {}?", "What is {}?", "Where is {}?")
REDUNDANCY = 0.5  # maximal marginal relevance: how much likeness to a chosen passage costs a candidate
SEARCHED = 30  # nearest passages that tell which document a request names
LEAD_CHARS = 80  # the lead is the first passage this long that ends a sentence (a headline does neither)


class Overview:
    """Recognises document-level requests and chooses the passages that cover the document(s)."""

    def __init__(self, search: DenseSearch, embedder: Embedder, max_passages: int) -> None:
        self.search = search
        self.embedder = embedder
        self.max_passages = max_passages
        # a title's passage vector: the same titles come back request after request
        self.title_vector = lru_cache(maxsize=4096)(lambda title: self.embedder.passages([title])[0])
        self.about_title = lru_cache(maxsize=256)(
            lambda title: self.embedder.queries([t.format(title) for t in (*NAMED_REQUESTS, *NAMED_QUESTIONS)]))

    @cached_property
    def _examples(self) -> tuple[np.ndarray, np.ndarray]:
        vectors = self.embedder.queries([*EXAMPLES, *QUESTIONS])
        return vectors[: len(EXAMPLES)], vectors[len(EXAMPLES) :]

    def score(self, vector: np.ndarray) -> tuple[float, float]:
        """(likeness to the nearest example request, how much more than to the nearest question)."""
        requests, questions = self._examples
        like = float((requests @ vector).max())
        return like, like - float((questions @ vector).max())

    def answer(self, vector: np.ndarray) -> list[Passage] | None:
        """The covering passages when the question is a document-level request, else None."""
        score, contrast = self.score(vector)
        if score >= THRESHOLD and contrast >= CONTRAST:
            docs = self._documents(vector)
        elif score >= NAMED_BAND and (named := self.named(vector)) is not None:
            docs = [named]
        else:
            return None
        if len(docs) == 1:
            chosen = self.cover(docs[0], self.max_passages)
        else:  # "these articles": each one briefly (the passages shared out, the first documents one more)
            shares = [self.max_passages // len(docs) + (i < self.max_passages % len(docs)) for i in range(len(docs))]
            chosen = [p for d, k in zip(docs, shares, strict=True) for p in self.cover(d, k)]
        return chosen

    def named(self, vector: np.ndarray) -> str | None:
        """The document a request near the examples names, if the request is one once written about its title."""
        if len(self.search.store.records) <= 1:  # nothing to name: a question about the only document stays one
            return None
        docs = self._documents(vector)
        if len(docs) != 1:
            return None
        title = self.search.store.records[docs[0]].title
        likeness = self.about_title(title) @ vector
        request = float(likeness[: len(NAMED_REQUESTS)].max())
        return docs[0] if request >= THRESHOLD and request - float(likeness[len(NAMED_REQUESTS) :].max()) >= CONTRAST \
            else None

    def _documents(self, vector: np.ndarray) -> list[str]:
        """The document the request names, the only one, or every one. What names a document is what is left
        of the request once its nearest example request is taken out ("... the text about Berlin" -> Berlin),
        compared with the documents' titles: the best title stands 0.12-0.20 above the next for the dev
        requests naming one of 40 documents, at most 0.02 when none is named (benchmarks/overview.py); a
        probe naming "la peste negra" among English titles ("Black Death") stood out by only 0.03.
        The candidates are the documents of the nearest passages."""
        records = {r.id: r for r in self.search.store.records.values() if r.complete}
        if len(records) <= 1:
            return list(records)
        topic = self.topic(vector)
        candidates = list(records) if len(records) <= SEARCHED else list(
            dict.fromkeys(cid.partition(":")[0] for cid, _ in self.search.store.dense(topic, SEARCHED)))
        titled = sorted(((float(self.title_vector(records[d].title) @ topic), d) for d in candidates if d in records),
                        reverse=True)
        if len(titled) >= 2 and titled[0][0] - titled[1][0] >= NAMED_MARGIN:
            return [titled[0][1]]
        order = sorted(records.values(), key=lambda r: r.name)
        return [r.id for r in order[: self.max_passages]]

    def topic(self, vector: np.ndarray) -> np.ndarray:
        """What is left of a request once its nearest example request is taken out (unit length)."""
        requests, _ = self._examples
        nearest = requests[int(np.argmax(requests @ vector))]
        topic = vector - float(nearest @ vector) * nearest
        return topic / (np.linalg.norm(topic) or 1.0)

    def cover(self, doc_id: str, k: int) -> list[Passage]:
        """Up to k passages of one document that cover it, in document order."""
        chunks = self.search.chunks(doc_id)
        stored = self.search.store.vectors([c.id for c in chunks])
        present = [i for i, c in enumerate(chunks) if c.id in stored]  # all, unless the index lost some
        if not present:
            return []
        vectors = np.stack([stored[chunks[i].id] for i in present])
        centre = vectors.mean(axis=0)
        centre /= np.linalg.norm(centre) or 1.0
        central = vectors @ centre
        picked = choose([chunks[i] for i in present], vectors, central, k)
        return [Passage(self.search.with_speaker(chunks, present[j]), float(central[j]),
                        {"centrality": float(central[j])}) for j in picked]


def choose(chunks: Sequence[Chunk], vectors: np.ndarray, central: np.ndarray, k: int) -> list[int]:
    """Indices of the title and lead, the most central passage of each later third, then MMR, by position;
    `central`: each passage's likeness to the document's mean vector."""
    if k <= 0 or not chunks:
        return []
    picked = [0]  # the headline, or the opening sentences
    lead = next((i for i, c in enumerate(chunks) if len(c.text) >= LEAD_CHARS and c.text.rstrip("»”\"' ").endswith(
        (".", "!", "?", "…"))), 0)
    if lead not in picked and k > 1:
        picked.append(lead)  # the first full sentences: a headline line is often followed by another
    end = chunks[-1].end or 1
    for third in (1, 2):
        inside = [i for i, c in enumerate(chunks) if third / 3 <= c.start / end < (third + 1) / 3]
        if inside and len(picked) < k:
            picked.append(max(inside, key=lambda i: central[i]))
    while len(picked) < min(k, len(chunks)):
        rest = [i for i in range(len(chunks)) if i not in picked]
        picked.append(max(rest, key=lambda i: central[i] - REDUNDANCY * max(vectors[i] @ vectors[j] for j in picked)))
    return sorted(picked[:k])
