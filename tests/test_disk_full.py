"""Bad days: a disk that fills during an ingest. A real small filesystem (tmpfs) that really fills."""

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.assistant import Assistant
from assistant.config import Settings
from assistant.errors import IndexCorrupt
from assistant.store import WRITING, recover
from benchmarks.corpus import write_corpus
from tests.conftest import run_cli

DOCS = 20
LEFT = 1_300_000  # bytes left free before the ingest: the default article fits, twenty more documents do not


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("generated")
    write_corpus(folder, DOCS, chars=3_000, seed=5)
    return folder


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """An 8 MB filesystem of its own (tmpfs: root can mount one; CI runs as root)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small filesystem needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path, leave: int) -> Path:
    filler = disk / "filler"
    filler.write_bytes(b"\0" * (shutil.disk_usage(disk).free - leave))
    return filler


def test_an_ingest_the_disk_cannot_hold_is_refused_and_the_index_keeps_answering(
        small_disk: Path, corpus: Path, cache_dir: Path) -> None:
    settings = Settings(index_dir=small_disk / "index", cache_dir=cache_dir)
    before = Assistant(settings)  # the default article, on first use
    assert not before.ask("What did Lavrov claim?").abstained
    filler = fill(small_disk, LEFT)

    refused = run_cli("ingest", str(corpus), settings=settings)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "disk holding the index" in refused.stderr and "MB free" in refused.stderr, refused.stderr
    assert "Traceback" not in refused.stderr
    assert not (settings.index_dir / WRITING).exists()  # a refused write is not a crash to recover from

    docs = run_cli("docs", settings=settings)  # read-only, disk still full: lists exactly what was complete
    assert docs.returncode == 0, docs.stderr
    assert "nato-north-korean-troops-kursk" in docs.stdout and "incomplete" not in docs.stdout
    assert len(docs.stdout.strip().splitlines()) == 1
    asked = run_cli("ask", "What did Lavrov claim?", settings=settings)
    assert asked.returncode == 0 and "Lavrov" in asked.stdout, asked.stdout + asked.stderr
    assert not list(settings.index_dir.glob("chroma.damaged-*"))

    filler.unlink()  # space freed: the same ingest finishes the job
    again = run_cli("ingest", str(corpus), settings=settings)
    assert again.returncode == 0, again.stderr
    after = Assistant(settings)
    listed = after.documents()
    assert len(listed) == DOCS + 1 and all(d.complete for d in listed)
    assert after.store.count() == sum(d.chunks for d in listed)  # what an uninterrupted ingest stores


def test_a_write_that_fills_the_disk_inside_chroma_loses_nothing(
        small_disk: Path, corpus: Path, cache_dir: Path) -> None:
    """When the space check is fooled (here: switched off in that process) and Chroma itself hits the full disk."""
    settings = Settings(index_dir=small_disk / "index", cache_dir=cache_dir)
    assert run_cli("docs", settings=settings).returncode == 0  # the default article, on first use
    filler = fill(small_disk, LEFT)
    unchecked = ("import sys, assistant.store as s; s.PASSAGE_BYTES = 0; from assistant.cli import main; "
                 f"sys.exit(main(['ingest', {str(corpus)!r}]))")
    failed = run_cli(settings=settings, argv=[sys.executable, "-c", unchecked])
    assert failed.returncode == 2 and "disk is full" in failed.stderr, failed.stdout + failed.stderr
    assert "Traceback" not in failed.stderr
    assert not (settings.index_dir / WRITING).exists()
    # SQLite rolled the write back (the answer comes), or Chroma waits for room to finish applying it (it
    # says so); where the disk fills decides which. Never taken for damage.
    asked = run_cli("ask", "What did Lavrov claim?", settings=settings)
    answered = asked.returncode == 0 and "Lavrov" in asked.stdout
    assert answered or (asked.returncode == 2 and "free some space" in asked.stderr), asked.stdout + asked.stderr
    assert "rebuild" not in asked.stderr and not list(settings.index_dir.glob("chroma.damaged-*"))

    (settings.index_dir / WRITING).write_text("12345")  # as a writer killed at that moment would leave it
    docs = run_cli("docs", settings=settings)  # cannot check the vectors on a full disk: leaves them alone
    assert docs.returncode == 0, docs.stderr
    assert not list(settings.index_dir.glob("chroma.damaged-*"))
    assert "nato-north-korean-troops-kursk" in docs.stdout

    filler.unlink()
    again = run_cli("ingest", str(corpus), settings=settings)  # checks the vectors (sound) and finishes the job
    assert again.returncode == 0, again.stderr
    assert not list(settings.index_dir.glob("chroma.damaged-*"))
    after = Assistant(settings)
    listed = after.documents()
    assert len(listed) == DOCS + 1 and all(d.complete for d in listed)
    assert after.store.count() == sum(d.chunks for d in listed)
    assert not after.ask("What did Lavrov claim?").abstained


def test_a_read_that_fails_on_a_roomy_disk_is_still_damage(fresh_settings: Settings) -> None:
    """The disk-full diagnosis must not swallow real damage (a full disk and damage advise different fixes)."""
    assistant = Assistant(fresh_settings)
    with pytest.raises(IndexCorrupt, match="rebuild"):
        raise assistant.store._unreadable(RuntimeError("malformed segment"))


def test_vectors_that_cannot_be_checked_on_a_full_disk_are_not_set_aside(small_disk: Path) -> None:
    """A killed writer left its marker and Chroma cannot be opened: on a full disk that is no proof of damage
    (Chroma needs room to open after an unfinished write), so nothing is moved; with room, it is damage."""
    index = small_disk / "index"
    (index / "chroma").mkdir(parents=True)
    (index / "chroma" / "chroma.sqlite3").write_bytes(b"not a database" * 100)
    manifest = index / "manifest.json"
    manifest.write_text(json.dumps({"model": "m", "documents": [{"id": "a", "complete": True}]}), encoding="utf-8")
    filler = fill(small_disk, 100_000)
    assert not recover(index)
    assert (index / "chroma").exists() and not list(index.glob("chroma.damaged-*"))
    filler.unlink()
    assert recover(index)  # the same folder, with room: set aside
    assert list(index.glob("chroma.damaged-*"))
    # its documents were marked incomplete first: re-indexed from their texts, never listed complete
    assert json.loads(manifest.read_text(encoding="utf-8"))["documents"] == [{"id": "a", "complete": False}]
