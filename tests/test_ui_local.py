"""The chat with the built-in model, in Debian's chromium: evidence at once, then the checked English answer."""

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

from assistant.assistant import Assistant
from assistant.config import ROOT, Settings
from assistant.ui import launch
from scripts.browser import CHROMIUM, chromium, free_port

BOT = "#chat [data-testid='bot']"


@pytest.fixture(scope="module")
def local_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    root = tmp_path_factory.mktemp("ui-local")
    settings = Settings(index_dir=root / "index", data_dir=root / "data", cache_dir=ROOT / "index" / "cache",
                        port=free_port(), llm="local", llm_timeout_s=600.0)
    assistant = Assistant(settings)
    demo = launch(assistant, prevent_thread_lock=True)
    yield assistant
    demo.close()


@pytest.mark.browser
def test_evidence_then_the_english_answer_and_its_source_highlighted(local_server: Assistant) -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (make install installs it)")
    with chromium() as browser:
        page = browser.new_page()
        seen: list[str] = []
        page.on("request", lambda r: seen.append(r.url))
        page.goto(f"http://127.0.0.1:{local_server.settings.port}")
        page.wait_for_selector("#question textarea")
        page.fill("#question textarea", "What did Lavrov claim?")
        page.click("#send")
        page.wait_for_function(f"() => /\\[1\\]/.test(document.querySelector(\"{BOT}\")?.innerText || '')",
                               timeout=60_000)
        evidence = page.locator(BOT).last.inner_text()
        assert "According to the documents" in evidence and "answered by" not in evidence  # before the model
        page.wait_for_function(f"() => /answered by: local/.test(document.querySelector(\"{BOT}\")?.innerText || '')",
                               timeout=500_000)
        final = page.locator(BOT).last.inner_text()
        assert "droit international" in final  # the evidence stays
        assert "Answer:" in final or "No checked written answer" in final
        page.locator(f"{BOT} a[href$='-1']").first.click()
        mark = page.locator("#source-viewer mark")
        mark.wait_for(timeout=30_000)
        quoted = final.split("[1]")[0].split("According to the documents:")[1]  # the passage shown as [1]
        assert mark.inner_text().split() == quoted.split()
        assert all(urlparse(u).hostname in ("127.0.0.1", "localhost") for u in seen)
