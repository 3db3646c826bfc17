"""No network: every connection to a non-loopback address fails, and ingest and ask still work."""

import ipaddress
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.assistant import Assistant
from assistant.config import Settings


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    attempts: list[Any] = []
    real_connect = socket.socket.connect

    def guarded_connect(self: socket.socket, address: Any) -> Any:
        host = address[0] if isinstance(address, tuple) else address
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(host):
            attempts.append(address)
            raise OSError(f"network disabled by the test: {address}")
        return real_connect(self, address)

    real_getaddrinfo = socket.getaddrinfo

    def guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host and not _loopback(str(host)) and host != "localhost":
            attempts.append(host)
            raise socket.gaierror(f"name resolution disabled by the test: {host}")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket, "getaddrinfo", guarded_getaddrinfo)
    yield attempts


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


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
