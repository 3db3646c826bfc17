"""Real HTTP servers on loopback that speak the OpenAI chat API (SSE) and Ollama's (NDJSON).

They stream scripted replies and record every request, so tests can check what the chain sent and
what the user gets. Only the LLM is faked: a user brings their own.
"""

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """What the fake answers: text pieces streamed one by one, or a failure."""

    pieces: list[str] = field(default_factory=list)
    status: int = 200
    stall_after: int | None = None  # stop sending (but keep the connection) after this many pieces
    malformed: bool = False


Script = Callable[[dict[str, Any]], Reply]


def role_text(body: dict[str, Any], role: str) -> str:
    return "\n".join(str(m.get("content", "")) for m in body.get("messages", []) if m.get("role") == role)


class FakeLLM:
    """Start with `with FakeLLM("openai", script) as fake:`; fake.url is the base URL to configure."""

    def __init__(self, flavour: str, script: Script) -> None:
        self.flavour = flavour
        self.script = script
        self.requests: list[dict[str, Any]] = []
        self.release = threading.Event()  # set on exit, so stalled replies end
        self.hung_up = threading.Event()  # set when a client closed a stream while it was being sent
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                fake.requests.append({"path": self.path, "body": body})
                reply = fake.script(body)
                if reply.status != 200:
                    data = json.dumps({"error": {"message": "scripted failure", "type": "server_error"}}).encode()
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return
                stream = body.get("stream", fake.flavour == "ollama")
                if not stream:
                    data = json.dumps(fake._whole(body, "".join(reply.pieces))).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream" if fake.flavour == "openai"
                                 else "application/x-ndjson")
                self.send_header("Connection", "close")
                self.end_headers()
                try:
                    for i, piece in enumerate(reply.pieces):
                        if reply.stall_after is not None and i >= reply.stall_after:
                            fake.release.wait(60)
                            return
                        self.wfile.write(fake._chunk(piece, done=False))
                        self.wfile.flush()
                        time.sleep(0.01)
                except (BrokenPipeError, ConnectionResetError):
                    fake.hung_up.set()  # the client closed the stream before the reply's end
                    return
                if reply.malformed:
                    self.wfile.write(b"data: {\"choices\": [{\"delta\": \n\n" if fake.flavour == "openai"
                                     else b"{\"message\": {\"content\": \n")
                    self.wfile.flush()
                    return
                self.wfile.write(fake._chunk("", done=True))
                if fake.flavour == "openai":
                    self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()
                self.close_connection = True

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{port}/v1" if flavour == "openai" else f"http://127.0.0.1:{port}"

    def _chunk(self, piece: str, done: bool) -> bytes:
        if self.flavour == "openai":
            data = {"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": "fake",
                    "choices": [{"index": 0, "delta": {} if done else {"role": "assistant", "content": piece},
                                 "finish_reason": "stop" if done else None}]}
            return f"data: {json.dumps(data)}\n\n".encode()
        data = {"model": "fake", "created_at": "2026-01-01T00:00:00Z",
                "message": {"role": "assistant", "content": piece}, "done": done}
        if done:
            data.update(done_reason="stop", total_duration=1, load_duration=1, prompt_eval_count=1,
                        prompt_eval_duration=1, eval_count=1, eval_duration=1)
        return (json.dumps(data) + "\n").encode()

    def _whole(self, body: dict[str, Any], text: str) -> dict[str, Any]:
        if self.flavour == "openai":
            return {"id": "c1", "object": "chat.completion", "created": 0, "model": "fake",
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                                 "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}
        return {"model": "fake", "created_at": "2026-01-01T00:00:00Z",
                "message": {"role": "assistant", "content": text}, "done": True, "done_reason": "stop"}

    def __enter__(self) -> "FakeLLM":
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    def answer_requests(self) -> list[dict[str, Any]]:
        """The requests that asked for an answer (not a rewrite)."""
        return [r["body"] for r in self.requests if "numbered passages" in role_text(r["body"], "system")]

    def wait_for_answer_request(self, timeout: float) -> bool:
        """Whether an answer was asked for within `timeout` seconds (the model is then writing)."""
        deadline = time.monotonic() + timeout
        while not self.answer_requests() and time.monotonic() < deadline:
            time.sleep(0.05)
        return bool(self.answer_requests())
