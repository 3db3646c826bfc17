"""A real `chroma run` server on loopback, for the server-mode tests and the scale benchmark."""

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from scripts.browser import free_port, wait_for_http


@contextlib.contextmanager
def chroma_server(path: Path, timeout: float = 60) -> Iterator[str]:
    """Start `chroma run --path PATH --host 127.0.0.1 --port FREE`; yield its URL; stop it."""
    port = free_port()
    chroma = Path(sys.executable).parent / "chroma"
    proc = subprocess.Popen([str(chroma), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
                            env={**os.environ, "ANONYMIZED_TELEMETRY": "False"}, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(proc, f"{url}/api/v2/heartbeat", timeout)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
