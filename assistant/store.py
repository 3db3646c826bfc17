"""The index on disk: Chroma holds passages and vectors; a manifest and the decoded texts sit beside it.

Chroma is embedded (PersistentClient) or a `chroma run` server (HttpClient). The decoded documents are
kept under index/docs so the UI can highlight a citation in place and anything can be rebuilt from them.
A document is marked complete in the manifest only after all its passages are in Chroma.
"""

import contextlib
import errno
import fcntl
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

from assistant.embeddings import Embedder
from assistant.errors import AssistantError, DiskFull, IndexCorrupt, IndexInUse
from assistant.types import Chunk, Document, byline

log = logging.getLogger(__name__)
REBUILD_HINT = "rebuild it with `assistant ingest --rebuild` (the documents are re-read from their files)"
PAGE = 5_000  # passages read from Chroma per request
WRITING = ".writing"  # present while a writer works; left behind only by a writer that died
# Room a batch needs on disk, checked before anything is written: a passage took 3.9-5.5 KB at its peak,
# texts included (SQLite rows, full-text index, HNSW; benchmarks/disk_use.py), so the check asks for 2.2-2.5x
# that. Chroma cannot even be read while a write it half-applied waits for space: refusing before the
# write is what keeps the index answering on a full disk.
PASSAGE_BYTES = 8_000
SPARE_BYTES = 1_000_000  # below this, any failure to read or write the index is reported as a full disk
DISK_FULL_SIGNS = ("disk is full", "no space left", "disk full")
# Opens the embedded Chroma and touches every part of it; run in a child process because Chroma has been
# seen to die with SIGSEGV on a vector segment truncated mid-write, which no `except` can catch. Metadata is
# read one page, not whole: a get() of 100,000 passages fails inside Chroma (SQLite's variable limit), which
# would take a large healthy index for a damaged one.
PROBE = """
import sys, chromadb
from chromadb.config import Settings
client = chromadb.PersistentClient(path=sys.argv[1], settings=Settings(anonymized_telemetry=False))
for c in client.list_collections():
    n = c.count()
    if n:
        got = c.get(limit=1, include=["embeddings"])
        c.query(query_embeddings=[got["embeddings"][0]], n_results=min(10, n))
        c.get(include=["metadatas"], limit=1000, offset=max(0, n - 1000))
"""


@dataclass
class DocRecord:
    """What the manifest knows of one document."""

    id: str
    name: str
    title: str
    path: str
    chunks: int
    complete: bool
    chars: int = 0
    date: str = ""
    author: str = ""
    site: str = ""
    extractor: str = ""

    @property
    def byline(self) -> str:
        return byline(self.site, self.date, self.author)

    def document(self, text: str) -> Document:
        """The document again, from its kept text (re-embedding, repair): its page metadata included."""
        return Document(id=self.id, name=self.name, title=self.title, path=self.path, text=text, date=self.date,
                        author=self.author, site=self.site, extractor=self.extractor)


def _chroma_embedding_function(embedder: Embedder) -> Any:
    """The project's embedder as a Chroma embedding function (never Chroma's default, which downloads)."""
    from chromadb.api.types import Documents, EmbeddingFunction, Embeddings

    class ProjectEmbedding(EmbeddingFunction[Documents]):
        def __init__(self) -> None:
            self._embedder = embedder

        def __call__(self, input: Documents) -> Embeddings:
            return list(self._embedder.passages(list(input)))

        @staticmethod
        def name() -> str:
            return "assistant-project-embedder"

        def get_config(self) -> dict[str, Any]:
            return {"embedder": self._embedder.key}

        @staticmethod
        def build_from_config(config: dict[str, Any]) -> "EmbeddingFunction[Documents]":
            raise NotImplementedError("the assistant passes its embedder explicitly")

        def default_space(self) -> Any:
            return "ip"

    return ProjectEmbedding()


class Store:
    """Passages in Chroma plus the manifest and texts; the only module that talks to Chroma."""

    def __init__(self, index_dir: Path, embedder: Embedder, model: str, chroma_url: str | None = None,
                 collection: str = "passages", fault: str | None = None, title_context: bool = True) -> None:
        self.index_dir = index_dir
        self.docs_dir = index_dir / "docs"
        self.manifest_path = index_dir / "manifest.json"
        self.embedder = embedder
        self.title_context = title_context  # passages are embedded with their title too (ingest.chunk_vectors)
        self.model = model
        self.chroma_url = chroma_url
        self.collection_name = collection
        self.docs_dir.mkdir(parents=True, exist_ok=True)
        self._reading = threading.Lock()  # a reopen (sync) never closes the client under a running query
        self._seen = self._manifest_stamp()
        self.records = self._read_manifest()
        self._texts: dict[str, str] = {}
        self._count: int | None = None
        self._fault = fault  # tests: "pending:N" / "upserted:N" kills the process at that point of batch N
        self._batches = 0
        self.wrote = False  # whether this process wrote to the index (cli: nothing to save at exit)
        self._collection = self._open_collection()

    # -- opening -----------------------------------------------------------------------------
    def _open_collection(self) -> Any:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        try:
            if self.chroma_url:
                url = urlparse(self.chroma_url)
                client = chromadb.HttpClient(
                    host=url.hostname or "127.0.0.1", port=url.port or 8000, ssl=url.scheme == "https",
                    settings=chroma_settings,
                )
            else:
                client = chromadb.PersistentClient(path=str(self.index_dir / "chroma"), settings=chroma_settings)
            self._client = client
            collection = self._get_or_create(client)
        except Exception as exc:
            if self.chroma_url and _is_connection_error(exc):
                raise IndexCorrupt(
                    f"cannot reach the Chroma server at {self.chroma_url} ({exc}); start it with "
                    f"`chroma run --path index/chroma-server --host 127.0.0.1 --port {urlparse(self.chroma_url).port}`"
                ) from exc
            raise self._unreadable(exc) from exc
        stored = (collection.metadata or {}).get("model")
        # vectors of another model (or of an older passage layout) are never mixed with ours: the Assistant
        # re-embeds the kept texts (see reset_vectors)
        self.stale_model = stored if stored and stored != self.model else None
        self.max_batch = int(client.get_max_batch_size()) if hasattr(client, "get_max_batch_size") else 1000
        return collection

    def _get_or_create(self, client: Any) -> Any:
        # inner product: passage vectors are the mean of two unit vectors (text, and title + text), and the
        # score is then exactly the mean of the two cosines (retrieval.py)
        return client.get_or_create_collection(
            self.collection_name,
            configuration={"hnsw": {"space": "ip"}},
            metadata={"model": self.model},
            embedding_function=_chroma_embedding_function(self.embedder),
        )

    def reset_vectors(self) -> None:
        """Drop this collection's vectors (made by another model) and mark every document to re-embed;
        the texts stay, so nothing is lost. The caller holds the write lock."""
        self._client.delete_collection(self.collection_name)
        self._collection = self._get_or_create(self._client)
        self.stale_model = None
        self._count = None
        self.mark_incomplete()

    def _read_manifest(self) -> dict[str, DocRecord]:
        if not self.manifest_path.exists():
            return {}
        try:
            data = json.loads(self.manifest_path.read_text(encoding="utf-8"))
            return {d["id"]: DocRecord(**d) for d in data["documents"]}
        except (ValueError, KeyError, TypeError) as exc:
            raise IndexCorrupt(f"the index manifest {self.manifest_path} is damaged ({exc}); {REBUILD_HINT}") from exc

    def _write_manifest(self) -> None:
        _write_json(self.manifest_path, {"model": self.model, "documents": [asdict(r) for r in self.records.values()]})
        self._seen = self._manifest_stamp()

    def _manifest_stamp(self) -> tuple[int, int] | None:
        try:
            st = self.manifest_path.stat()
        except FileNotFoundError:
            return None
        return st.st_mtime_ns, st.st_size

    def sync(self) -> bool:
        """Catch up with another process (the CLI) that changed the index since we last looked: re-read
        the manifest and, embedded, reopen Chroma, whose in-memory vector index does not see another
        process's writes. A stat() per question when nothing changed. Returns whether anything did."""
        stamp = self._manifest_stamp()
        if stamp == self._seen:
            return False
        with self._reading:
            if stamp == self._seen:
                return False
            log.info("the index changed on disk: reloading it")
            try:
                self.records = self._read_manifest()
            except IndexCorrupt:
                return False  # caught mid-write by a process that is not atomic: try at the next question
            self._texts.clear()
            if not self.chroma_url:
                self._client.close()  # type: ignore[attr-defined]
                self._collection = self._open_collection()
            self._count = None
            self._seen = stamp
        return True

    # -- writing -----------------------------------------------------------------------------
    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """One writer at a time per index folder; a second one gets IndexInUse, not a corrupt index."""
        lock_path = self.index_dir / ".write.lock"
        with lock_path.open("a") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as exc:
                holder = _read_pid(self.index_dir / WRITING)
                who = f"process {holder}" if holder else "another process"
                raise IndexInUse(
                    f"the index at {self.index_dir} is in use: {who} is writing to it; wait for it to finish, "
                    "or run several processes against a Chroma server (ASSISTANT_CHROMA_URL)"
                ) from exc
            self.wrote = True
            marker = self.index_dir / WRITING
            try:
                marker.write_text(str(os.getpid()))
                self.records = self._read_manifest()  # another writer may have finished since we opened
                yield
            except (DiskFull, OSError) as exc:
                if not isinstance(exc, DiskFull) and exc.errno != errno.ENOSPC:
                    raise
                # not a crash: the write was refused, or SQLite rolled it back; nothing to check or set aside
                marker.unlink(missing_ok=True)
                self.records = self._read_manifest()  # the documents of the refused batch are not listed
                if isinstance(exc, DiskFull):
                    raise
                raise self.disk_full("written") from exc
            else:
                marker.unlink(missing_ok=True)  # only a clean end removes it: a crash leaves it as evidence
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def add_many(self, items: Sequence[tuple[Document, Sequence[Chunk]]], vectors: np.ndarray) -> None:
        """Record the texts, mark the documents pending, upsert their passages, then mark them complete.
        `vectors` holds one row per passage, in the order of the items' chunks. A batch the disk has
        no room for is refused before anything is written (DiskFull)."""
        self.check_space(sum(len(c) for _, c in items), sum(len(d.text.encode()) for d, _ in items))
        try:
            self._add_many(items, vectors)
        except Exception as exc:
            if isinstance(exc, AssistantError) or not self._is_disk_full(exc):
                raise
            listed = self._read_manifest()
            for document, _ in items:  # texts of documents the manifest does not list: room for the next try
                if document.id not in listed:
                    (self.docs_dir / f"{document.id}.txt").unlink(missing_ok=True)
            raise self.disk_full("written") from exc

    def check_space(self, passages: int, text_bytes: int) -> None:
        """DiskFull, naming what is free and roughly what is needed, when the batch would not fit."""
        on_disk = 0 if self.chroma_url else passages * PASSAGE_BYTES  # a server keeps vectors on its own disk
        needed = on_disk + 2 * text_bytes + SPARE_BYTES
        free = shutil.disk_usage(self.index_dir).free
        if free < needed:
            raise DiskFull(
                f"the disk holding the index {self.index_dir} is full: {free / 1e6:.1f} MB free, about "
                f"{needed / 1e6:.1f} MB needed for {passages} more passages; nothing of them was written. Free "
                "some space and run the same ingest again (documents already indexed are skipped)")

    def disk_full(self, what: str) -> DiskFull:
        free = shutil.disk_usage(self.index_dir).free
        return DiskFull(f"the index at {self.index_dir} cannot be {what}: its disk is full ({free / 1e6:.1f} MB "
                        "free). Nothing is lost: free some space and try again")

    def _is_disk_full(self, exc: BaseException) -> bool:
        return (isinstance(exc, OSError) and exc.errno == errno.ENOSPC) or _looks_full(self.index_dir, str(exc))

    def _unreadable(self, exc: Exception, what: str = "read") -> AssistantError:
        """A read that failed: a full disk (Chroma waits for room to finish a write) or damage."""
        if self._is_disk_full(exc):
            return self.disk_full(what)
        return IndexCorrupt(f"the index at {self.index_dir} cannot be {what} ({_short(exc)}); {REBUILD_HINT}")

    def _add_many(self, items: Sequence[tuple[Document, Sequence[Chunk]]], vectors: np.ndarray) -> None:
        for document, chunks in items:
            (self.docs_dir / f"{document.id}.txt").write_text(document.text, encoding="utf-8")
            self.records[document.id] = DocRecord(
                id=document.id, name=document.name, title=document.title, path=document.path,
                chunks=len(chunks), complete=False, chars=len(document.text), date=document.date,
                author=document.author, site=document.site, extractor=document.extractor,
            )
        self._write_manifest()
        self._batches += 1
        self._fault_point("pending")
        chunks = [c for _, doc_chunks in items for c in doc_chunks]
        self._count = None
        for i in range(0, len(chunks), self.max_batch):
            self._upsert(chunks[i : i + self.max_batch], vectors[i : i + self.max_batch])
        if chunks:
            self._settle(chunks[-1], vectors[len(chunks) - 1])
        self._fault_point("upserted")
        for document, _ in items:
            self.records[document.id].complete = True
        self._write_manifest()

    def _upsert(self, batch: Sequence[Chunk], vectors: np.ndarray) -> None:
        self._collection.upsert(
            ids=[c.id for c in batch],
            documents=[c.text for c in batch],
            embeddings=list(vectors),
            metadatas=[{"doc_id": c.doc_id, "doc_name": c.doc_name, "title": c.title,
                        "start": c.start, "end": c.end, "lang": c.lang} for c in batch],
        )

    def _settle(self, last: Chunk, vector: np.ndarray) -> None:
        """Read our own write before saying it is done. Chroma 1.5.9 (embedded) sometimes keeps searching the
        vectors it had before a write, for good, though `get` and `count` see the new ones: the UI test's
        sequence (an article, two questions, one new document) repeated in one process missed the new
        document in 22 of 300 searches, and in 0 of 300 with this check. A second write heals it (each of the
        5 stale cases looked at)."""
        for _ in range(3):
            with self._reading:
                found = self._collection.query(query_embeddings=[vector], n_results=min(10, self.count()),
                                               include=[])["ids"][0]
            if last.id in found:
                return
            self._upsert([last], vector[None, :])
        log.warning("Chroma does not find the passages just added yet; restart the assistant to search them")

    def _fault_point(self, name: str) -> None:
        """Deterministic crash tests: die here, as a SIGKILL would, when the settings ask for it."""
        if self._fault == f"{name}:{self._batches}":
            os.kill(os.getpid(), signal.SIGKILL)

    def remove(self, doc_id: str) -> DocRecord:
        record = self.records.pop(doc_id)
        self._texts.pop(doc_id, None)
        self._write_manifest()  # first: a crash now leaves orphan passages, which prune() removes
        self._count = None
        self._collection.delete(where={"doc_id": doc_id})
        (self.docs_dir / f"{doc_id}.txt").unlink(missing_ok=True)
        return record

    def mark_incomplete(self) -> None:
        """Every document to be re-indexed from its kept text (its vectors were lost)."""
        for record in self.records.values():
            record.complete = False
        self._write_manifest()

    def prune(self) -> int:
        """Delete passages of documents the manifest does not list (left by a crash mid-removal)."""
        orphans = [cid for cid, _, meta in self._all(["metadatas"]) if meta["doc_id"] not in self.records]
        self._count = None
        for i in range(0, len(orphans), self.max_batch):
            self._collection.delete(ids=orphans[i : i + self.max_batch])
        return len(orphans)

    # -- reading -----------------------------------------------------------------------------
    def text(self, doc_id: str) -> str:
        cached = self._texts.get(doc_id)
        if cached is None:
            cached = self._texts[doc_id] = (self.docs_dir / f"{doc_id}.txt").read_text(encoding="utf-8")
        return cached

    def _all(self, include: list[str]) -> Iterator[tuple[str, str, dict[str, Any]]]:
        """Every stored passage, (id, text, metadata), a page at a time: one get() of 100,000 passages
        exceeds SQLite's variable limit inside Chroma."""
        offset = 0
        while True:
            try:
                got = self._collection.get(include=include, limit=PAGE, offset=offset)  # type: ignore[arg-type]
            except Exception as exc:
                raise self._unreadable(exc) from exc
            ids = got["ids"]
            texts = got.get("documents") or [""] * len(ids)
            yield from zip(ids, texts, got["metadatas"] or [], strict=True)  # type: ignore[misc]
            if len(ids) < PAGE:
                return
            offset += PAGE

    def dense(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) of the k nearest passages."""
        count = self.count()
        if count == 0:
            return []
        try:
            with self._reading:
                res = self._collection.query(
                    query_embeddings=[vector], n_results=min(k, count), include=["distances"]
                )
        except Exception as exc:
            raise self._unreadable(exc, "searched") from exc
        return [(cid, 1.0 - float(d)) for cid, d in zip(res["ids"][0], res["distances"][0], strict=True)]

    def vectors(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """The stored vectors of these passages, by id (a passage not stored is absent)."""
        try:
            with self._reading:
                got = self._collection.get(ids=list(ids), include=["embeddings"])
        except Exception as exc:
            raise self._unreadable(exc) from exc
        return {i: np.asarray(v, dtype=np.float32) for i, v in zip(got["ids"], got["embeddings"], strict=True)}

    def count(self) -> int:
        """Passages stored; cached (Chroma's count costs milliseconds at 100,000) until the next write."""
        if self._count is None:
            try:
                self._count = int(self._collection.count())
            except Exception as exc:
                raise self._unreadable(exc) from exc
        return self._count


def writer_died(index_dir: Path) -> bool:
    """A writer left its marker and holds no lock any more: it was killed mid-write."""
    if not (index_dir / WRITING).exists():
        return False
    with (index_dir / ".write.lock").open("a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False  # a live writer is at work
        fcntl.flock(lock, fcntl.LOCK_UN)
    return True


def recover(index_dir: Path) -> bool:
    """After a killed writer: check the embedded Chroma in a child process; if it cannot be opened, set it
    aside. Returns True when the vectors were set aside (the caller then re-indexes the kept texts)."""
    chroma_dir = index_dir / "chroma"
    if not chroma_dir.exists():
        return False
    probe = subprocess.run([sys.executable, "-c", PROBE, str(chroma_dir)], capture_output=True, text=True,
                           stdin=subprocess.DEVNULL, timeout=600)
    if probe.returncode == 0:
        return False
    if _looks_full(index_dir, probe.stderr):
        # Chroma needs room to open after an unfinished write: a full disk is not damage; check again later
        log.warning("the index could not be checked: its disk is full (%.1f MB free); free some space",
                    shutil.disk_usage(index_dir).free / 1e6)
        return False
    manifest = index_dir / "manifest.json"
    if manifest.exists():  # first: every document whose passages go aside is re-indexed, never listed complete
        data = json.loads(manifest.read_text(encoding="utf-8"))
        for d in data["documents"]:
            d["complete"] = False
        _write_json(manifest, data)
    aside = index_dir / f"chroma.damaged-{int(time.time())}"
    log.warning("the index's vectors are damaged (probe exit %s): moved to %s, re-indexing from the kept texts",
                probe.returncode, aside.name)
    shutil.move(str(chroma_dir), aside)
    return True


def _looks_full(folder: Path, message: str) -> bool:
    """A failure that says the disk is full, or any failure on a disk with under SPARE_BYTES free."""
    return any(sign in message.lower() for sign in DISK_FULL_SIGNS) or shutil.disk_usage(folder).free < SPARE_BYTES


def _write_json(path: Path, data: dict[str, Any]) -> None:
    """Atomically: a crash leaves the old or the new file; a full disk leaves the old one."""
    tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        with tmp.open("rb") as f:
            os.fsync(f.fileno())
        tmp.replace(path)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise


def _read_pid(marker: Path) -> str | None:
    try:
        text = marker.read_text().strip()
    except OSError:
        return None
    return text if text.isdigit() else None


def _is_connection_error(exc: Exception) -> bool:
    text = f"{type(exc).__name__} {exc}".lower()
    return any(s in text for s in ("connect", "refused", "unreachable", "timeout"))


def _short(exc: Exception) -> str:
    return f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"
