"""documents -> chunks -> vectors -> store, incrementally: unchanged files are skipped, changed ones replaced."""

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assistant import documents
from assistant.chunking import chunk
from assistant.embeddings import Embedder
from assistant.errors import BadDocument
from assistant.store import Store
from assistant.types import Chunk, Document

log = logging.getLogger(__name__)
Progress = Callable[[int, int, str], None]  # done, total, what


@dataclass
class IngestReport:
    """What one ingest did, file by file."""

    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    whole_pages: list[str] = field(default_factory=list)  # web pages in which no article was found
    passages: int = 0

    def summary(self) -> str:
        parts = [f"{len(self.added)} added", f"{len(self.replaced)} replaced", f"{len(self.skipped)} unchanged"]
        if self.failed:
            parts.append(f"{len(self.failed)} refused")
        text = ", ".join(parts) + f" ({self.passages} passages embedded)"
        if self.whole_pages:
            text += (f"; no article found in {', '.join(self.whole_pages)}: indexed every text of the page "
                     "(menus included)")
        return text


BATCH_PASSAGES = 512  # passages embedded and stored together: fewer manifest writes, fuller model batches


def ingest(store: Store, paths: Iterable[Path], max_bytes: int, progress: Progress | None = None,
           names: dict[Path, str] | None = None) -> IngestReport:
    """Index the files (folders are walked); a bad file is reported and the rest still go in."""
    report = IngestReport()
    files = list(documents.iter_paths(paths))
    batch: list[tuple[Document, list[Chunk]]] = []

    def flush(done: int) -> None:
        report.passages += index_documents(store, batch)
        batch.clear()
        if progress:
            progress(done, len(files), files[done - 1].name if done else "")

    with store.writing():
        if progress:
            progress(0, len(files), "reading")
        for done, path in enumerate(files, start=1):
            try:
                doc = documents.load(path, max_bytes, name=(names or {}).get(path))
            except BadDocument as exc:
                report.failed.append((str(path), str(exc)))
                log.info("refused %s", exc)
                continue
            existing = store.records.get(doc.id)
            unchanged = existing and existing.complete and existing.extractor == doc.extractor
            if unchanged or any(d.id == doc.id for d, _ in batch):
                report.skipped.append(doc.name)
                continue
            previous = [r for r in store.records.values() if r.path == doc.path and r.id != doc.id]
            for old in previous:
                store.remove(old.id)
            batch.append((doc, chunk(doc)))
            if doc.extractor == documents.FULL_PAGE:
                report.whole_pages.append(doc.name)
            (report.replaced if previous else report.added).append(doc.name)
            if sum(len(c) for _, c in batch) >= BATCH_PASSAGES:
                flush(done)
        flush(len(files))
    return report


def index_documents(store: Store, items: Sequence[tuple[Document, list[Chunk]]]) -> int:
    """Embed and store chunked documents together (the caller holds the write lock); returns passages."""
    if not items:
        return 0
    chunks = [c for _, doc_chunks in items for c in doc_chunks]
    store.add_many(list(items), chunk_vectors(store.embedder, chunks, store.title_context))
    return len(chunks)


def chunk_vectors(embedder: Embedder, chunks: Sequence[Chunk], title_context: bool = True) -> np.ndarray:
    """What the index stores for a passage: the mean of its text's vector and of its title + text's.
    Scores are then the mean of the two cosines: the title places a sentence in its document
    (measured in benchmarks/quality.py: signal "title")."""
    plain = embedder.passages([c.text for c in chunks])
    if not title_context:
        return plain
    titled = embedder.passages([f"{c.title}. {c.text}" for c in chunks])
    return (plain + titled) / 2


def index_document(store: Store, doc: Document) -> int:
    """Chunk, embed and store one document (the caller holds the write lock); returns its passages."""
    return index_documents(store, [(doc, chunk(doc))])
