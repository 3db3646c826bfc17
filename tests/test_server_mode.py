"""Client/server: the same assistant against a real `chroma run` server that the tests start and stop."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.assistant import Assistant
from assistant.config import Settings
from assistant.errors import IndexCorrupt
from scripts.browser import free_port
from scripts.chroma import chroma_server
from tests.conftest import run_cli


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with chroma_server(tmp_path_factory.mktemp("chroma-server")) as url:
        yield url


@pytest.fixture(scope="module")
def remote(server: str, tmp_path_factory: pytest.TempPathFactory, cache_dir: Path) -> Assistant:
    root = tmp_path_factory.mktemp("client")
    return Assistant(Settings(index_dir=root / "index", data_dir=root / "data", cache_dir=cache_dir,
                              chroma_url=server))


def server_count(url: str) -> int:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    port = int(url.rsplit(":", 1)[1])
    client = chromadb.HttpClient(host="127.0.0.1", port=port, settings=ChromaSettings(anonymized_telemetry=False))
    return client.get_collection("passages").count()  # the default collection name


def test_the_default_corpus_lives_on_the_server_and_answers(remote: Assistant, server: str) -> None:
    assert not (remote.settings.index_dir / "chroma").exists()  # nothing embedded on the client side
    (record,) = remote.documents()
    assert server_count(server) == record.chunks > 0
    answer = remote.ask("What did Lavrov claim?")
    assert not answer.abstained and "Lavrov" in " ".join(c.text for c in answer.citations)
    for c in answer.citations:
        assert remote.text(c.doc_id)[c.start : c.end] == c.text


def test_ingest_and_remove_go_through_the_server(remote: Assistant, server: str, tmp_path: Path) -> None:
    before = server_count(server)
    note = tmp_path / "vienne.md"
    note.write_text("# Vienne\n\nLes ministres européens se réuniront à Vienne le 3 mars.\n", encoding="utf-8")
    assert remote.ingest([note]).added == ["vienne.md"]
    assert server_count(server) > before
    assert "Vienne" in remote.ask("Where will the European ministers meet?").citations[0].text
    remote.remove("vienne.md")
    assert server_count(server) == before


def test_the_cli_uses_the_server_from_the_environment(remote: Assistant, server: str) -> None:
    done = run_cli("ask", "Qui a confirmé le déploiement ?", settings=remote.settings,
                   env={"ASSISTANT_CHROMA_URL": server})
    assert done.returncode == 0, done.stderr
    assert "Rutte" in done.stdout


def test_an_unreachable_server_is_named_with_how_to_start_it(tmp_path: Path, cache_dir: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(IndexCorrupt, match="chroma run"):
        Assistant(Settings(index_dir=tmp_path / "index", cache_dir=cache_dir, chroma_url=url))
