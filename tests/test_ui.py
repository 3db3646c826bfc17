"""The chat UI for real: a Gradio server on loopback, gradio_client, and Debian's chromium via Playwright."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect as expect_text

from assistant.assistant import Assistant
from assistant.config import Settings
from assistant.ui import launch, safe_name
from scripts.browser import CHROMIUM, ask, chromium, free_port
from tests.fake_llm import FakeLLM, Reply, role_text


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, cache_dir: Path) -> Iterator[str]:
    root = tmp_path_factory.mktemp("ui")
    settings = Settings(index_dir=root / "index", data_dir=root / "data", cache_dir=cache_dir, port=free_port())
    demo = launch(Assistant(settings), prevent_thread_lock=True)
    yield f"http://127.0.0.1:{settings.port}"
    demo.close()


def test_api_returns_structured_citations(server: str) -> None:
    from gradio_client import Client

    result = Client(server, verbose=False).predict("What did Lavrov claim?", [], api_name="/ask")
    assert result["abstained"] is False
    first = result["citations"][0]
    assert {"doc", "start", "end", "text", "n"} <= set(first)
    assert first["end"] - first["start"] == len(first["text"])


def test_upload_names_cannot_escape_the_data_folder() -> None:
    assert safe_name("../../etc/passwd.txt") == "passwd.txt"
    assert safe_name("..\\..\\x.md") == "x.md"
    assert "/" not in safe_name("a/b/../c.html")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (make install installs it)")
    with chromium() as b:
        yield b


@pytest.fixture
def page(browser: Any, server: str) -> Iterator[Any]:
    context = browser.new_context()
    pg = context.new_page()
    pg.requests_seen = []  # type: ignore[attr-defined]
    pg.on("request", lambda r: pg.requests_seen.append(r.url))  # type: ignore[attr-defined]
    pg.goto(server)
    pg.wait_for_selector("#question textarea")
    yield pg
    context.close()


@pytest.mark.browser
def test_lavrov_answer_and_citation_highlighted_in_place(page: Any, server: str) -> None:
    from gradio_client import Client

    answer = ask(page, "What did Lavrov claim?", 0)
    assert "[1]" in answer.inner_text() and "answered by: extractive" in answer.inner_text()
    answer.locator("a[href$='-1']").first.click()
    mark = page.locator("#source-viewer mark")
    mark.wait_for(timeout=30_000)
    expected = Client(server, verbose=False).predict("What did Lavrov claim?", [], api_name="/ask")
    assert mark.inner_text() == expected["citations"][0]["text"]
    assert all(urlparse(u).hostname in ("127.0.0.1", "localhost") for u in page.requests_seen)


@pytest.mark.browser
def test_follow_up_uses_the_history(page: Any) -> None:
    ask(page, "What did Lavrov claim?", 0)
    answer = ask(page, "What did he say about Western soldiers?", 1)
    first = answer.inner_text().split("[1]")[0]  # the passage quoted first, before its marker
    assert "occidentaux" in first and "Lavrov" in first


def upload(page: Any, path: Path, expect: str) -> None:
    """Add one file through the Documents panel; the status must say `expect` ("0 added" does not say "1 added").

    Waits for the file's row in the box, which appears once the file is sent. The box also shows the name
    while sending ("Uploading 1 file... blob.txt"); waiting for that text failed under load when the sending
    was over before Playwright looked (the row splits the name: "blob" ".txt")."""
    page.set_input_files("#upload input[type=file]", str(path))
    page.locator(f'#upload td.filename[aria-label="{path.name}"]').wait_for(timeout=60_000)
    page.click("#add-docs")
    expect_text(page.locator("#upload-status")).to_contain_text(expect, timeout=60_000)


@pytest.mark.browser
def test_upload_then_answer(page: Any, tmp_path: Path) -> None:
    good = tmp_path / "vienne.md"
    good.write_text("# Vienne\n\nLes ministres européens se réuniront à Vienne le 3 mars pour parler d'énergie.\n",
                    encoding="utf-8")
    page.click("text=Documents")
    upload(page, good, expect="1 added")
    expect_text(page.locator("#upload")).not_to_contain_text("vienne")  # emptied for the next files
    answer = ask(page, "Where will the European ministers meet?", 0)
    assert "Vienne" in answer.inner_text()


@pytest.mark.browser
def test_a_binary_upload_is_refused_and_the_chat_keeps_working(page: Any, tmp_path: Path) -> None:
    bad = tmp_path / "blob.txt"
    bad.write_bytes(b"\x00\x01\x02" * 500)
    page.click("text=Documents")
    upload(page, bad, expect="binary")
    answer = ask(page, "Is Kursk in Russia or in Ukraine?", 0)
    assert "[1]" in answer.inner_text()


@pytest.mark.browser
def test_a_saved_page_shows_its_site_and_date_in_sources_and_viewer(page: Any) -> None:
    page.click("text=Documents")
    upload(page, Path(__file__).parent / "data" / "pages" / "wire-en.html", expect="1 added")
    page.wait_for_selector("#doc-list :text('Global Wire · 2025-03-14 · Maria Keller')", timeout=30_000)
    answer = ask(page, "What did Tomas Reyes say about the wage?", 0)
    assert "(Global Wire · 2025-03-14 · Maria Keller)" in answer.inner_text()  # its Sources
    answer.locator("a[href$='-1']").first.click()
    page.locator("#source-viewer mark").wait_for(timeout=30_000)
    assert "Global Wire · 2025-03-14 · Maria Keller" in page.locator("#source-viewer .byline").inner_text()


@pytest.mark.browser
def test_empty_question_shows_a_message_and_the_chat_keeps_working(page: Any) -> None:
    page.fill("#question textarea", "   ")
    page.click("#send")
    page.wait_for_selector("#chat :text('empty')", timeout=30_000)
    answer = ask(page, "What did Lavrov claim?", 1)
    assert "[1]" in answer.inner_text()


# a minute at least, 10 ms a piece; words that never go round (a looping reply is cut short: checks.loops)
LONG = Reply(["Lavrov claimed "] + [f"point {i}, " for i in range(6000)] + ["it is legal [1]."])


@pytest.fixture
def writing_page(browser: Any, tmp_path: Path, cache_dir: Path) -> Iterator[tuple[Any, FakeLLM]]:
    """A chat whose model (a fake on loopback) is writing a long answer to the Lavrov question."""

    def script(body: dict[str, Any]) -> Reply:
        if "standalone question" in role_text(body, "system"):  # the follow-up's rewrite
            return Reply(["Who confirmed the deployment?"])
        asked = role_text(body, "user").split("Question:")[-1]
        return LONG if "Lavrov" in asked else Reply(["It was confirmed by the secretary general [1]."])

    with FakeLLM("openai", script) as fake:
        settings = Settings(index_dir=tmp_path / "index", data_dir=tmp_path / "data", cache_dir=cache_dir,
                            port=free_port(), llm="openai", llm_base_url=fake.url, llm_model="fake",
                            llm_timeout_s=600.0)
        demo = launch(Assistant(settings), prevent_thread_lock=True)
        context = browser.new_context()
        try:
            page = context.new_page()
            page.goto(f"http://127.0.0.1:{settings.port}")
            page.wait_for_selector("#question textarea")
            page.fill("#question textarea", "What did Lavrov claim?")
            page.click("#send")
            assert fake.wait_for_answer_request(120)  # the model is writing
            yield page, fake
        finally:
            context.close()
            demo.close()


@pytest.mark.browser
def test_a_reader_who_closes_the_page_stops_the_model(writing_page: tuple[Any, FakeLLM]) -> None:
    """Gradio closes the answer's generator when its page goes; the model's HTTP stream closes with it."""
    page, fake = writing_page
    page.context.close()  # the reader leaves
    assert fake.hung_up.wait(120)  # long before the reply's end


@pytest.mark.browser
def test_stop_stops_the_model_keeps_the_evidence_and_the_next_question_is_answered(
        writing_page: tuple[Any, FakeLLM]) -> None:
    page, fake = writing_page
    page.click("#stop")
    assert fake.hung_up.wait(120)
    assert "droit international" in page.locator("#chat [data-testid='bot']").last.inner_text()  # the evidence
    ask(page, "Who confirmed the deployment?", 1)  # its evidence at once, then its written answer
    page.wait_for_function("() => [...document.querySelectorAll(\"#chat [data-testid='bot']\")].pop()"
                           ".innerText.includes('It was confirmed by the secretary general [1].')", timeout=60_000)


@pytest.mark.browser
def test_a_source_of_the_evidence_opens_while_the_model_writes(writing_page: tuple[Any, FakeLLM]) -> None:
    page, fake = writing_page
    bot = page.locator("#chat [data-testid='bot']").last
    link = bot.locator("a[href$='-1']").first
    link.wait_for(timeout=60_000)  # the evidence is shown; the model writes on
    link.click()
    mark = page.locator("#source-viewer mark")
    mark.wait_for(timeout=30_000)
    assert "droit international" in mark.inner_text()  # the evidence's passage [1], highlighted in place
    assert not fake.hung_up.is_set() and "answered by" not in bot.inner_text()  # and the model is still writing


@pytest.mark.browser
def test_a_question_asked_while_the_model_writes_stops_it_and_is_answered(
        writing_page: tuple[Any, FakeLLM]) -> None:
    page, fake = writing_page
    page.locator("#chat [data-testid='bot'] a[href$='-1']").first.wait_for(timeout=60_000)  # writing
    page.fill("#question textarea", "Who confirmed the deployment?")
    page.click("#send")  # no Stop first
    assert fake.hung_up.wait(120)  # the first answer's model stream is closed
    page.wait_for_function("() => [...document.querySelectorAll(\"#chat [data-testid='bot']\")].pop()"
                           ".innerText.includes('It was confirmed by the secretary general [1].')", timeout=120_000)
    bots = page.locator("#chat [data-testid='bot']")
    assert bots.count() == 2 and "Rutte" in bots.last.inner_text()  # its own evidence, then its answer
    bots.last.locator("a[href$='-1']").first.click()  # and its sources open
    mark = page.locator("#source-viewer mark")
    mark.wait_for(timeout=30_000)
    assert " ".join(mark.inner_text().split()) in " ".join(bots.last.inner_text().split())  # a passage it quoted
