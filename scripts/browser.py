"""Shared by the browser tests, the UI benchmark and the screenshot: a served app and Debian's chromium.

Never `playwright install` (it downloads a browser): Playwright drives /usr/bin/chromium, which
`make install` installs from Debian.
"""

import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
ROOT = Path(__file__).resolve().parent.parent
# The newest bot message is complete once it has its sources or says the documents do not answer.
ANSWERED_JS = ("([n]) => { const m = document.querySelectorAll(\"#chat [data-testid='bot']\"); "
               "return m.length > n && /\\[1\\]|documents|documenti/.test(m[m.length - 1].innerText); }")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_http(proc: "subprocess.Popen[bytes]", url: str, timeout: float) -> None:
    """Poll url until it answers; fail early, with its stderr, if the process exits first."""
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            stderr = proc.stderr.read().decode()[-2000:] if proc.stderr else ""
            raise RuntimeError(f"{proc.args} exited: {stderr}")
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{url} did not answer within {timeout:.0f} s") from None
            time.sleep(0.1)


@contextlib.contextmanager
def served(command: Sequence[str], env: dict[str, str], port: int, timeout: float = 600,
           warm: bool = True) -> Iterator[float]:
    """Start the app as a user does, wait until it answers over the API (or, not warm, only until its page
    loads); yield the seconds that took."""
    from gradio_client import Client

    start = time.perf_counter()
    proc = subprocess.Popen(list(command), cwd=ROOT, env={**os.environ, **env, "ASSISTANT_PORT": str(port)},
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(proc, url, timeout)
        if warm:
            Client(url, verbose=False).predict("What did Lavrov claim?", [], api_name="/ask")
        yield time.perf_counter() - start
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def ask(page: Any, question: str, answers_before: int) -> Any:
    """Type a question, send it, wait for the complete answer; return its bot message."""
    page.fill("#question textarea", question)
    page.click("#send")
    page.wait_for_function(ANSWERED_JS, arg=[answers_before], timeout=60_000)
    page.wait_for_timeout(300)
    return page.locator("#chat [data-testid='bot']").last
