"""No network: every connection to a non-loopback address fails, and ingest and ask still work."""

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.assistant import Assistant
from assistant.config import Settings
from tests.netguard.sitecustomize import guards


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    attempts: list[Any] = []
    connect, getaddrinfo = guards(attempts.append)
    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield attempts


def test_ingest_and_ask_work_with_the_network_cut(no_network: list[Any], tmp_path: Path, cache_dir: Path) -> None:
    settings = Settings(index_dir=tmp_path / "index", cache_dir=cache_dir)
    assistant = Assistant(settings)  # builds the default index: Chroma, model, dictionaries
    doc = tmp_path / "note.md"
    doc.write_text("# Note\n\nLa réunion des ministres européens se tiendra à Vienne le 3 mars.\n", encoding="utf-8")
    assert assistant.ingest([doc]).added == ["note.md"]
    answer = assistant.ask("Where will the European ministers meet?")
    assert "Vienne" in answer.citations[0].text
    assert not assistant.ask("What did Lavrov claim?").abstained
    assert no_network == [], f"something tried to reach the network: {no_network}"
