"""Several people at once: 20 gradio_client sessions with their own follow-ups, and a full queue."""

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from assistant.assistant import Assistant
from assistant.config import Settings
from assistant.ui import launch
from scripts.browser import free_port
from tests.fake_llm import FakeLLM, Reply

CLIENTS = 20
# (first question, follow-up, what the follow-up's first source must contain: only the history gives it)
CONVERSATIONS = [
    ("What did Lavrov claim?", "What did he say about Western soldiers?", "occidentaux"),
    ("Que demande l'OTAN à Moscou ?", "Et à Pyongyang ?", "cesser immédiatement"),
    ("Qui est Sergueï Lavrov ?", "Qu'a-t-il dit de l'accord ?", "Sergueï"),
]


@pytest.fixture(scope="module")
def served(assistant: Assistant) -> Iterator[str]:
    settings = assistant.settings.model_copy(update={"port": free_port(), "queue_size": 64, "concurrency": 4})
    demo = launch(Assistant(settings), prevent_thread_lock=True)
    yield f"http://127.0.0.1:{settings.port}"
    demo.close()


def conversation(url: str, first: str, follow_up: str) -> tuple[dict[str, Any], dict[str, Any]]:
    from gradio_client import Client

    client = Client(url, verbose=False)  # one session each
    return (client.predict(first, [], api_name="/ask"),
            client.predict(follow_up, [first], api_name="/ask"))


def test_twenty_concurrent_sessions_each_get_their_own_complete_answers(served: str, assistant: Assistant) -> None:
    expected = {f: assistant.ask(f, [q]).as_dict() for q, f, _ in CONVERSATIONS}
    for _, f, must in CONVERSATIONS:
        assert must in expected[f]["citations"][0]["text"]  # the history decides these answers
        assert must not in (assistant.ask(f).as_dict()["citations"] or [{"text": ""}])[0]["text"]
    jobs = [CONVERSATIONS[i % len(CONVERSATIONS)] for i in range(CLIENTS)]
    start = threading.Barrier(CLIENTS)

    def run(job: tuple[str, str, str]) -> tuple[dict[str, Any], dict[str, Any]]:
        start.wait()
        return conversation(served, job[0], job[1])

    with ThreadPoolExecutor(CLIENTS) as pool:
        results = list(pool.map(run, jobs))
    for (first, follow_up, _), (a, b) in zip(jobs, results, strict=True):
        assert "error" not in a and "error" not in b
        assert a["question"] == first and b["question"] == follow_up
        assert b["answer"] == expected[follow_up]["answer"]
        assert b["citations"] == expected[follow_up]["citations"]


def test_a_full_queue_answers_busy_try_again(settings: Settings, tmp_path: Path) -> None:
    """One slot, one waiting place; answers held up by a stalled LLM: the third caller is told to retry."""
    from gradio_client import Client

    with FakeLLM("openai", lambda body: Reply(["Lavrov [1]"], stall_after=0)) as fake:
        config = {"port": free_port(), "queue_size": 1, "concurrency": 1, "llm": "openai",
                  "llm_base_url": fake.url, "llm_timeout_s": 3.0}
        demo = launch(Assistant(settings.model_copy(update=config)), prevent_thread_lock=True)
        url = f"http://127.0.0.1:{config['port']}"
        try:
            clients = [Client(url, verbose=False) for _ in range(4)]
            jobs = [c.submit("What did Lavrov claim?", [], api_name="/ask") for c in clients]
            outcomes = []
            for job in jobs:
                try:
                    outcomes.append(job.result(timeout=60))
                except Exception as exc:  # gradio_client raises on a refused submission
                    outcomes.append(exc)
        finally:
            demo.close()
    refused = [o for o in outcomes if isinstance(o, Exception)]
    answered = [o for o in outcomes if isinstance(o, dict)]
    assert refused and all("full" in str(e).lower() and "try again" in str(e).lower() for e in refused)
    assert answered and all(a["citations"] and a["notice"] for a in answered)  # fell back, still answered
