"""Exposure: loopback by default, a warning and a password when exposed, uploads checked on the server,
no file reachable but what the UI indexed, and no request leaving the machine from the running server."""

import logging
import socket
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.assistant import Assistant
from assistant.config import ROOT, Settings
from assistant.ui import accept_uploads, launch
from scripts.browser import CHROMIUM, ask, chromium, free_port, served


@pytest.fixture(scope="module")
def ui(assistant: Assistant) -> Iterator[str]:
    settings = assistant.settings.model_copy(update={"port": free_port(), "max_file_mb": 0.05})
    demo = launch(Assistant(settings), prevent_thread_lock=True)
    yield f"http://127.0.0.1:{settings.port}"
    demo.close()


def status(url: str, data: bytes | None = None, headers: dict[str, str] | None = None) -> int:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data, headers=headers or {}), timeout=10) as r:
            return int(r.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def outward_address() -> str | None:
    """This machine's non-loopback address, if any (a UDP 'connect' sends nothing)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.255.255.255", 1))
            address = s.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") else str(address)


def test_the_ui_listens_on_loopback_only_by_default(ui: str) -> None:
    assert Settings().host == "127.0.0.1"
    address = outward_address()
    if address is None:
        pytest.skip("this machine has no non-loopback address to try")
    port = int(ui.rsplit(":", 1)[1])
    with socket.socket() as s, pytest.raises(OSError):
        s.settimeout(2)
        s.connect((address, port))


def test_exposing_the_ui_warns_and_a_password_is_enforced(
        assistant: Assistant, caplog: pytest.LogCaptureFixture) -> None:
    from gradio_client import Client

    settings = assistant.settings.model_copy(update={"port": free_port(), "host": "0.0.0.0", "auth": "ana:s3cret"})
    with caplog.at_level(logging.WARNING):
        demo = launch(Assistant(settings), prevent_thread_lock=True)
    try:
        assert any("0.0.0.0" in r.message and "ASSISTANT_AUTH" in r.message for r in caplog.records)
        url = f"http://127.0.0.1:{settings.port}"
        with pytest.raises(Exception):  # noqa: B017  (gradio_client raises its own error types)
            Client(url, verbose=False).predict("What did Lavrov claim?", [], api_name="/ask")
        answer = Client(url, auth=("ana", "s3cret"), verbose=False).predict(
            "What did Lavrov claim?", [], api_name="/ask")
        assert answer["citations"]
    finally:
        demo.close()


def test_uploads_are_checked_on_the_server(tmp_path: Path) -> None:
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    big = incoming / "big.txt"
    big.write_text("x" * 2_000_000, encoding="utf-8")
    exe = incoming / "tool.exe"
    exe.write_bytes(b"MZ\x90\x00")
    sneaky = incoming / "sneaky.md"
    sneaky.write_text("# Sneaky\n\nBonjour.\n", encoding="utf-8")

    class Upload:  # what Gradio hands the handler: a temp file and the name the browser sent
        def __init__(self, path: Path, orig_name: str) -> None:
            self.name, self.orig_name = str(path), orig_name

    uploads = tmp_path / "data" / "uploads"
    files = [Upload(big, "big.txt"), Upload(exe, "tool.exe"), Upload(sneaky, "../../../etc/cron.d/sneaky.md")]
    accepted, names, messages = accept_uploads(files, uploads, max_file_mb=1)
    assert accepted == [(uploads / "sneaky.md").resolve()] and names[accepted[0]] == "sneaky.md"
    assert any("big.txt" in m and "larger than 1 MB" in m for m in messages)
    assert any("tool.exe" in m and "unsupported type" in m for m in messages)
    assert [p.name for p in tmp_path.rglob("*.md")] == ["sneaky.md", "sneaky.md"]  # the source and one copy


def test_the_http_upload_limit_is_enforced_by_the_server(ui: str) -> None:
    boundary = "xyzzy"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"big.txt\"\r\n"
            f"Content-Type: text/plain\r\n\r\n").encode() + b"x" * 200_000 + f"\r\n--{boundary}--\r\n".encode()
    code = status(f"{ui}/gradio_api/upload", body, {"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert code == 413


def test_only_indexed_documents_are_readable_through_the_ui(ui: str, assistant: Assistant) -> None:
    (record,) = assistant.documents()
    for path in ["/etc/passwd", str(assistant.settings.index_dir / "docs" / f"{record.id}.txt"),
                 str(ROOT / "pyproject.toml")]:
        assert status(f"{ui}/gradio_api/file={path}") in (403, 404), path


@pytest.mark.browser
def test_the_running_server_makes_no_request_off_the_machine(settings: Settings, tmp_path: Path) -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (make install installs it)")
    log = tmp_path / "outbound.log"
    env = {"PYTHONPATH": str(ROOT / "tests" / "netguard"), "NETGUARD_LOG": str(log),
           "ASSISTANT_INDEX_DIR": str(settings.index_dir), "ASSISTANT_CACHE_DIR": str(settings.cache_dir),
           "ASSISTANT_DATA_DIR": str(tmp_path / "data")}
    port = free_port()
    with served([sys.executable, "app.py"], env, port), chromium() as browser:
        page: Any = browser.new_page()
        seen: list[str] = []
        page.on("request", lambda r: seen.append(r.url))
        page.goto(f"http://127.0.0.1:{port}")
        page.wait_for_selector("#question textarea")
        answer = ask(page, "What did Lavrov claim?", 0)
        answer.locator("a[href$='-1']").first.click()
        page.locator("#source-viewer mark").wait_for(timeout=30_000)
    assert seen and all(u.startswith(f"http://127.0.0.1:{port}") or u.startswith("data:") for u in seen)
    assert not log.exists() or log.read_text() == "", f"the server tried to reach: {log.read_text()}"
