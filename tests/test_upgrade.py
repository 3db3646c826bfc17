"""The index follows the embedder: an index made by another model is re-embedded once, nothing lost."""

import logging
from pathlib import Path

import pytest

from assistant.assistant import Assistant
from assistant.config import Settings

NOTE = "Le conseil municipal de Lyon a voté mardi un budget de 12 millions d'euros pour les pistes cyclables.\n"


def test_an_index_of_another_model_is_rebuilt_once_with_the_same_documents(
        tmp_path: Path, cache_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    note = tmp_path / "lyon.txt"
    note.write_text(NOTE, encoding="utf-8")
    old_settings = Settings(index_dir=tmp_path / "index", cache_dir=cache_dir, embedder="minilm")
    old = Assistant(old_settings)  # what main built before e5: MiniLM vectors
    old.ingest([note])
    before = sorted((d.id, d.name, d.chunks) for d in old.documents())
    old_key = old.store.model
    del old

    settings = old_settings.model_copy(update={"embedder": "e5"})
    with caplog.at_level(logging.WARNING):
        upgraded = Assistant(settings)
    assert sum("re-embedding" in r.message for r in caplog.records) == 1
    assert upgraded.store.model != old_key and "e5" in upgraded.store.model
    assert sorted((d.id, d.name, d.chunks) for d in upgraded.documents()) == before
    assert all(d.complete for d in upgraded.documents())
    assert upgraded.store.count() == sum(chunks for _, _, chunks in before)  # no MiniLM vector left beside
    answer = upgraded.ask("Combien d'euros pour les pistes cyclables ?")
    assert answer.citations and answer.citations[0].doc == "lyon.txt"

    caplog.clear()
    with caplog.at_level(logging.WARNING):
        again = Assistant(settings)
    assert not any("re-embedding" in r.message for r in caplog.records)  # once only
    assert again.store.count() == upgraded.store.count()
