"""One index, several processes and threads: a running assistant sees what the CLI adds or removes, and a
cold start answers a burst of concurrent questions in several languages without one error."""

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from assistant import coverage, text
from assistant.assistant import Assistant
from assistant.config import Settings
from tests.conftest import run_cli

NOTRE_DAME = ("Notre-Dame de Paris rouvre\n\nLa cathédrale Notre-Dame de Paris a rouvert ses portes le 7 décembre "
              "2024, cinq ans après l'incendie qui avait détruit sa charpente.\n")
QUESTIONS = ["What did Lavrov claim?", "Qui a confirmé le déploiement ?", "Dove ha parlato Mark Rutte?",
             "¿Qué ha suministrado Pyongyang a Rusia?", "Wer ist Mark Rutte?", "What is the capital of Australia?",
             "Que vont continuer à faire les Alliés ?", "Is Kursk in Russia or in Ukraine?"]


def test_a_document_ingested_from_the_cli_is_cited_by_the_running_assistant(
        fresh_settings: Settings, tmp_path: Path) -> None:
    running = Assistant(fresh_settings)
    question = "Quand la cathédrale Notre-Dame a-t-elle rouvert ?"
    assert not any(c.doc == "notre-dame.txt" for c in running.ask(question).citations)
    note = tmp_path / "notre-dame.txt"
    note.write_text(NOTRE_DAME, encoding="utf-8")

    added = run_cli("ingest", str(note), settings=fresh_settings)  # another process writes the index
    assert added.returncode == 0, added.stderr
    answer = running.ask(question)  # no restart
    assert answer.citations and answer.citations[0].doc == "notre-dame.txt"
    assert "7 décembre 2024" in answer.citations[0].text

    removed = run_cli("remove", "notre-dame.txt", settings=fresh_settings)
    assert removed.returncode == 0, removed.stderr
    assert not any(c.doc == "notre-dame.txt" for c in running.ask(question).citations)


def test_a_cold_start_answers_concurrent_questions_in_several_languages(fresh_settings: Settings) -> None:
    expected = {q: Assistant(fresh_settings).ask(q).as_dict() for q in QUESTIONS}  # one at a time
    cold = Assistant(fresh_settings)
    for cached in (text.stem, text.fold_word, text.skeleton, coverage.passage_words, coverage.cognate,
                   coverage.word_grams):
        cached.cache_clear()  # as cold as a new process: every word is stemmed anew, by many threads at once
    jobs = QUESTIONS * 6
    with ThreadPoolExecutor(len(jobs)) as pool:
        answers = list(pool.map(lambda q: cold.ask(q).as_dict(), jobs))
    for q, answer in zip(jobs, answers, strict=True):
        assert answer == expected[q]


def test_each_thread_stems_with_its_own_stemmer() -> None:
    """Snowball stemmers keep state between calls: one shared by concurrent answers raised IndexError."""
    made: list[object] = []
    threads = [threading.Thread(target=lambda: made.append(text._stemmer("fr"))) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert made[0] is not made[1]
    assert text._stemmer("fr") is text._stemmer("fr")  # and each thread keeps its own
