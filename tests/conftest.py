"""Shared, real components: one index of the shipped article per session, on the real model."""

import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

# Tests answer extractively unless they ask for the built-in model (tests/test_local_llm.py): each of its
# answers costs seconds. Set before any Settings is read, and inherited by the CLI and app processes.
os.environ["ASSISTANT_LLM"] = "extractive"

from assistant.assistant import Assistant
from assistant.config import ROOT, Settings

CORPUS = ROOT / "corpus"
ARTICLE = CORPUS / "nato-north-korean-troops-kursk.fr.txt"
DEV_QUESTIONS = ROOT.parent / "shared" / "dev_questions.json"
EXTRA_QUESTIONS = ROOT / "tests" / "data" / "extra_questions.json"


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ONNX export is made once per session (about 10 s) and shared by every index."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory, cache_dir: Path) -> Settings:
    return Settings(index_dir=tmp_path_factory.mktemp("index"), cache_dir=cache_dir,
                    data_dir=tmp_path_factory.mktemp("data"))


@pytest.fixture(scope="session")
def assistant(settings: Settings) -> Assistant:
    """The default corpus, indexed on first use like a user's first run."""
    return Assistant(settings)


@pytest.fixture
def fresh_settings(tmp_path: Path, cache_dir: Path) -> Settings:
    """An index of its own (with the default corpus) for tests that change documents."""
    return Settings(index_dir=tmp_path / "index", cache_dir=cache_dir, data_dir=tmp_path / "data")


def run_cli(*args: str, settings: Settings | None = None, env: dict[str, str] | None = None,
            timeout: float = 300, argv: Sequence[str] = ()) -> subprocess.CompletedProcess[str]:
    """The real console script in a child process, as a user runs it (or `argv`, with the same settings)."""
    full_env = {**os.environ, **(env or {})}
    if settings:
        full_env["ASSISTANT_INDEX_DIR"] = str(settings.index_dir)
        full_env["ASSISTANT_CACHE_DIR"] = str(settings.cache_dir)
    return subprocess.run(argv or [sys.executable, "-m", "assistant.cli", *args], capture_output=True, text=True,
                          env=full_env, timeout=timeout, stdin=subprocess.DEVNULL)


@pytest.fixture
def cli() -> Iterator[object]:
    yield run_cli
