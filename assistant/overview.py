"""Requests about a whole document (summarise it, its main points, what it is about): a sibling of retrieval.

Such a request has no passage that answers it, so retrieval's abstention would be the right call for the
wrong kind of question. It is recognised by meaning: a logistic regression over the multilingual query vector,
fitted on example requests and questions written for it (`benchmarks/data/overview_examples.json`; measured in
five languages on the dev requests and questions by `benchmarks/overview.py`), and answered with the
passages that cover the document: its lead, then the most central passage of each third, then the most
central of the rest that repeat nothing chosen (maximal marginal relevance), in document order.
"""

from collections.abc import Sequence
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np

from assistant.classifier import load
from assistant.embeddings import Embedder
from assistant.retrieval import DenseSearch
from assistant.store import DocRecord
from assistant.types import Chunk, Passage

EXAMPLES = (  # the nearest one is taken out of a request to leave what it names ("... about Berlin" -> Berlin)
    "Summarize the article.",
    "What is this article about?",
    "What are the main points of the text?",
    "Give me a summary of the document.",
    "What are the key points?",
    "Who is mentioned in the article?",
    "What happened, in order?",
)
CLASSIFIER = Path(__file__).with_name("document_request.json")  # fitted by benchmarks/overview.py --write
IS_REQUEST = 0.5  # the regression's own decision boundary: not tuned on any evaluation set
# ... and at least this like the nearest example request: every dev request is (0.817-1.0); the regression alone
# takes 3 of the 273 dev questions and follow-ups for requests, at likeness 0.777-0.801 (benchmarks/overview.py)
MIN_LIKENESS = 0.81
OTHER_EMBEDDER_LIKENESS = 0.855  # the rule before the classifier (e5: 44 of the 53 dev requests, no question)
NAMED_MARGIN = 0.05  # the best title stands this far above the next one: the request named its document
REDUNDANCY = 0.5  # maximal marginal relevance: how much likeness to a chosen passage costs a candidate
SEARCHED = 30  # nearest passages that tell which document a request names
LEAD_CHARS = 80  # the lead is the first passage this long that ends a sentence (a headline does neither)


class Overview:
    """Recognises document-level requests and chooses the passages that cover the document(s)."""

    def __init__(self, search: DenseSearch, embedder: Embedder, max_passages: int) -> None:
        self.search = search
        self.embedder = embedder
        self.max_passages = max_passages
        # a title's query vector, compared with the rest of a request (a query vector): the same titles come
        # back request after request
        self.title_vector = lru_cache(maxsize=4096)(lambda title: self.embedder.queries([title])[0])

    @cached_property
    def _examples(self) -> np.ndarray:
        return self.embedder.queries(list(EXAMPLES))

    def likeness(self, vector: np.ndarray) -> float:
        """Cosine to the nearest example request."""
        return float((self._examples @ vector).max())

    def is_request(self, vector: np.ndarray) -> bool:
        """A request about a whole document, by the regression fitted on example requests and questions (it
        reads the request apart from what it names: "Riassumi l'articolo su Notre-Dame"). A request that names
        its document at length is read again without the title nearest to it: "Summarize the piece on the
        farmers and the drought" is 0.50 as it is (benchmarks/overview.py, long-topic requests)."""
        classifier = load(CLASSIFIER)
        if classifier.model != self.embedder.key:  # fitted on e5's vectors: another embedder has the likeness alone
            return self.likeness(vector) >= OTHER_EMBEDDER_LIKENESS

        def reads_as_request(v: np.ndarray) -> bool:
            return classifier.probability(v, self.embedder.key) >= IS_REQUEST and self.likeness(v) >= MIN_LIKENESS

        # the second reading, which searches the titles, only when the first says no
        return reads_as_request(vector) or (
            classifier.mean is not None and reads_as_request(self.unnamed(vector, classifier.mean)))

    def unnamed(self, vector: np.ndarray, centre: np.ndarray) -> np.ndarray:
        """The query with the nearest document title taken out, around `centre`, the mean of the examples the
        classifier was fitted on (taken out around zero, it takes what every query shares and is read as
        nothing)."""
        titled = self._titles(vector)
        if not titled:
            return vector
        title = self.title_vector(titled[0][1]) - centre
        title /= np.linalg.norm(title) or 1.0
        rest = vector - centre
        unnamed = centre + rest - float(title @ rest) * title
        return unnamed / (np.linalg.norm(unnamed) or 1.0)

    def answer(self, vector: np.ndarray) -> list[Passage] | None:
        """The covering passages when the question is a document-level request, else None."""
        if not self.is_request(vector):
            return None
        docs = self._documents(vector)
        if len(docs) == 1:
            chosen = self.cover(docs[0], self.max_passages)
        else:  # "these articles": each one briefly (the passages shared out, the first documents one more)
            shares = [self.max_passages // len(docs) + (i < self.max_passages % len(docs)) for i in range(len(docs))]
            chosen = [p for d, k in zip(docs, shares, strict=True) for p in self.cover(d, k)]
        return chosen

    def _documents(self, vector: np.ndarray) -> list[str]:
        """The document the request names, the only one, or every one. What names a document is what is left
        of the request once its nearest example request is taken out ("... the text about Berlin" -> Berlin),
        compared with the documents' titles embedded as queries, like the request (as passages, the best
        title stood out by 0.004-0.041 for requests naming "the drought" among three news titles, as little
        as the 0.039 of an unnamed request; as queries by 0.060-0.109, unnamed at most 0.033:
        benchmarks/overview.py). The candidates are the documents of the nearest passages."""
        records = self._records()
        if len(records) <= 1:
            return list(records)
        titled = self._titles(self.topic(vector))
        if len(titled) >= 2 and titled[0][0] - titled[1][0] >= NAMED_MARGIN:
            return [titled[0][2]]
        order = sorted(records.values(), key=lambda r: r.name)
        return [r.id for r in order[: self.max_passages]]

    def _records(self) -> dict[str, DocRecord]:
        return {r.id: r for r in self.search.store.records.values() if r.complete}

    def _titles(self, vector: np.ndarray) -> list[tuple[float, str, str]]:
        """(likeness, title, document id) of the candidate documents' titles to a query vector, best first; the
        candidates are the documents of the nearest passages."""
        records = self._records()
        candidates = list(records) if len(records) <= SEARCHED else list(
            dict.fromkeys(cid.partition(":")[0] for cid, _ in self.search.store.dense(vector, SEARCHED)))
        return sorted(((float(self.title_vector(records[d].title) @ vector), records[d].title, d)
                       for d in candidates if d in records), reverse=True)

    def topic(self, vector: np.ndarray) -> np.ndarray:
        """What is left of a request once its nearest example request is taken out (unit length)."""
        nearest = self._examples[int(np.argmax(self._examples @ vector))]
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
    """Indices of the headline and lead, the most central passage of each later third, then MMR, by position;
    `central`: each passage's likeness to the document's mean vector."""
    if k <= 0 or not chunks:
        return []
    lead = next((i for i, c in enumerate(chunks) if len(c.text) >= LEAD_CHARS and c.text.rstrip("»”\"' ").endswith(
        (".", "!", "?", "…"))), 0)  # the first full sentences: a headline line is often followed by another
    # the headline, then the lead; with room for one or two passages (one of several documents), the lead alone,
    # which says what the headline says and more
    picked = list(dict.fromkeys([0, lead] if k >= 3 else [lead]))
    end = chunks[-1].end or 1
    for third in (1, 2):
        inside = [i for i, c in enumerate(chunks) if third / 3 <= c.start / end < (third + 1) / 3 and i not in picked]
        if inside and len(picked) < k:
            picked.append(max(inside, key=lambda i: central[i]))
    while len(picked) < min(k, len(chunks)):
        rest = [i for i in range(len(chunks)) if i not in picked]
        picked.append(max(rest, key=lambda i: central[i] - REDUNDANCY * max(vectors[i] @ vectors[j] for j in picked)))
    return sorted(picked[:k])
