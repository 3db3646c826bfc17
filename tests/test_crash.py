"""Bad days: SIGKILL in the middle of an ingest, a damaged vector segment, a second writer."""

import json
import os
import signal
from pathlib import Path

import pytest

from assistant.assistant import Assistant
from assistant.config import Settings
from assistant.errors import IndexInUse
from assistant.store import WRITING
from benchmarks.corpus import write_corpus
from tests.conftest import run_cli

DOCS = 6


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("generated")
    write_corpus(folder, DOCS, chars=1_500, seed=3)
    return folder


@pytest.fixture(scope="module")
def clean_count(corpus: Path, tmp_path_factory: pytest.TempPathFactory, cache_dir: Path) -> int:
    """Passages in an index built without interruption: what every recovered index must end with."""
    settings = Settings(index_dir=tmp_path_factory.mktemp("clean"), cache_dir=cache_dir)
    assistant = Assistant(settings)
    assistant.ingest([corpus])
    return assistant.store.count()


def records(index_dir: Path) -> list[dict[str, object]]:
    try:
        return list(json.loads((index_dir / "manifest.json").read_text(encoding="utf-8"))["documents"])
    except (OSError, ValueError, KeyError):
        return []


def kill_during_ingest(settings: Settings, corpus: Path, fault: str) -> None:
    """Run `assistant ingest` that SIGKILLs itself at a named point: the same cut on a fast or a loaded machine."""
    done = run_cli("ingest", str(corpus), settings=settings, env={"ASSISTANT_FAULT": fault})
    assert done.returncode == -signal.SIGKILL, done.stderr  # it died where it was told, not before or after


# Documents are stored in batches: the manifest lists a batch as pending before its passages are upserted and
# complete after. Batch 1 is the default corpus (first use), batch 2 the generated articles.
@pytest.mark.parametrize("fault", ["pending:1", "upserted:1", "pending:2", "upserted:2"],
                         ids=["default-corpus-pending", "default-corpus-upserted", "batch-pending", "batch-upsert"])
def test_sigkill_during_ingest_then_reopen_ask_and_finish(
        fault: str, corpus: Path, clean_count: int, tmp_path: Path, cache_dir: Path) -> None:
    settings = Settings(index_dir=tmp_path / "index", cache_dir=cache_dir)
    kill_during_ingest(settings, corpus, fault)
    left = records(settings.index_dir)
    assert left and not all(r["complete"] for r in left)  # killed with a batch pending
    assert (settings.index_dir / WRITING).exists()

    docs = run_cli("docs", "--json", settings=settings)  # opens, and reports what is complete
    assert docs.returncode == 0, docs.stderr
    listed = json.loads(docs.stdout)
    assert all(isinstance(d["complete"], bool) for d in listed)

    asked = run_cli("ask", "What did Lavrov claim?", settings=settings)  # answers, and finishes what it can
    assert asked.returncode == 0, asked.stderr
    assert "Lavrov" in asked.stdout
    assert all(r["complete"] for r in records(settings.index_dir))  # documents left pending were finished

    again = run_cli("ingest", str(corpus), settings=settings)  # re-running finishes the job
    assert again.returncode == 0, again.stderr
    assistant = Assistant(settings)
    final = assistant.documents()
    assert len(final) == DOCS + 1 and all(d.complete for d in final)
    assert assistant.store.count() == clean_count == sum(d.chunks for d in final)  # no duplicate passages
    assert not (settings.index_dir / WRITING).exists()


def test_vectors_damaged_by_a_killed_writer_are_set_aside_and_rebuilt(
        corpus: Path, clean_count: int, tmp_path: Path, cache_dir: Path) -> None:
    settings = Settings(index_dir=tmp_path / "index", cache_dir=cache_dir)
    assert run_cli("ingest", str(corpus), settings=settings).returncode == 0  # built by another process
    files = [p for p in (settings.index_dir / "chroma").rglob("*") if p.is_file() and p.stat().st_size > 0]
    assert any(p.suffix == ".sqlite3" for p in files) and any(p.suffix == ".bin" for p in files)
    for p in files:  # what a kill mid-write can leave: files cut short
        with p.open("r+b") as f:
            f.truncate(p.stat().st_size // 3)
    (settings.index_dir / WRITING).write_text("12345")  # ... by a writer that died
    reopened = Assistant(settings)
    assert list(settings.index_dir.glob("chroma.damaged-*"))
    assert reopened.store.count() == clean_count
    assert all(d.complete for d in reopened.documents())
    assert not reopened.ask("What did Lavrov claim?").abstained


def test_a_second_writer_gets_index_in_use(fresh_settings: Settings, tmp_path: Path) -> None:
    first = Assistant(fresh_settings)
    note = tmp_path / "note.md"
    note.write_text("# Note\n\nLes ministres se réuniront à Vienne.\n", encoding="utf-8")
    with first.store.writing():
        done = run_cli("ingest", str(note), settings=fresh_settings)
        assert done.returncode == 2 and f"in use: process {os.getpid()} is writing" in done.stderr
    assert [d.name for d in first.documents()] == ["nato-north-korean-troops-kursk.fr.txt"]  # nothing half-done
    with pytest.raises(IndexInUse), first.store.writing(), first.store.writing():
        pass
    assert run_cli("ingest", str(note), settings=fresh_settings).returncode == 0  # and works once it is free
