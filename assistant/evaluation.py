"""`assistant eval`: answer a question file and score it, as ../shared/EVAL.md specifies."""

import json
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant.assistant import Assistant
from assistant.config import Settings, cache_dir
from assistant.errors import AssistantError
from assistant.types import Answer


def load_questions(path: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        items = data["items"]
        if not all("id" in i and "q" in i for i in items):
            raise KeyError("every item needs 'id' and 'q'")
        return list(items)
    except FileNotFoundError as exc:
        raise AssistantError(f"{path}: no such question file") from exc
    except (ValueError, KeyError, TypeError) as exc:
        raise AssistantError(f"{path}: not a question file of the form in EVAL.md ({exc})") from exc


def evaluate(settings: Settings, questions_path: Path, docs: Sequence[Path] = ()) -> dict[str, Any]:
    """Answer every question in one process; with docs, from a fresh temporary index of exactly those."""
    items = load_questions(questions_path)
    if docs:
        missing = [str(p) for p in docs if not p.exists()]
        if missing:
            raise AssistantError(f"no such file or folder: {', '.join(missing)}")
        with tempfile.TemporaryDirectory(prefix="assistant-eval-") as tmp:
            temp = settings.model_copy(update={
                "index_dir": Path(tmp), "corpus_dir": Path(tmp) / "no-default-corpus",
                "cache_dir": cache_dir(settings), "chroma_url": None,
            })
            assistant = Assistant(temp)
            report = assistant.ingest(list(docs))
            if not assistant.documents():
                raise AssistantError(f"none of the documents could be indexed: {report.failed}")
            return run(assistant, items)
    return run(Assistant(settings), items)


def run(assistant: Assistant, items: list[dict[str, Any]]) -> dict[str, Any]:
    results = []
    for item in items:
        start = time.perf_counter()
        try:
            answer = assistant.ask(item["q"])
        except AssistantError as exc:
            answer = Answer(text=str(exc), citations=[], abstained=True)
        latency = (time.perf_counter() - start) * 1000
        results.append({
            "id": item["id"], "question": item["q"], "answer": answer.text, "abstained": answer.abstained,
            "citations": [{k: v for k, v in c.as_dict().items() if k in ("n", "doc", "start", "end", "text", "score")}
                          for c in answer.citations[:5]],
            "latency_ms": round(latency, 2), "answerer": answer.answerer, "notice": answer.notice,
            "written": answer.written, "removed": answer.removed,
        })
    return {"results": results, "summary": summarise(items, results)}


def summarise(items: list[dict[str, Any]], results: list[dict[str, Any]]) -> dict[str, Any]:
    answerable = [(i, r) for i, r in zip(items, results, strict=True) if not i.get("abstain")]
    unanswerable = [(i, r) for i, r in zip(items, results, strict=True) if i.get("abstain")]

    def cited(item: dict[str, Any], result: dict[str, Any], k: int) -> bool:
        return any(g in c["text"] for c in result["citations"][:k] for g in item.get("gold", []))

    def fact(item: dict[str, Any], result: dict[str, Any]) -> bool:
        return not result["abstained"] and any(a.lower() in result["answer"].lower() for a in item.get("any", []))

    def share(hits: list[bool]) -> float | None:
        return round(sum(hits) / len(hits), 3) if hits else None

    return {
        "cite@1": share([cited(i, r, 1) for i, r in answerable]),
        "cite@3": share([cited(i, r, 3) for i, r in answerable]),
        "fact": share([fact(i, r) for i, r in answerable]),
        "abstain": share([r["abstained"] for _, r in unanswerable]),
        "false_abstain": sum(1 for _, r in answerable if r["abstained"]),
        "p50_ms": round(statistics.median(r["latency_ms"] for r in results), 2) if results else None,
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        "written": share([r["written"] is not None for _, r in answerable]),  # checked written answers
        "removed": sum(len(r["removed"]) for r in results),  # written sentences not shown
    }


def table(report: dict[str, Any]) -> str:
    lines = [f"{'id':<22} {'abst':<5} {'cites':<6} {'ms':>7}  answer"]
    for r in report["results"]:
        first = " ".join(r["answer"].split())[:70]
        lines.append(f"{r['id']:<22} {'yes' if r['abstained'] else 'no':<5} {len(r['citations']):<6} "
                     f"{r['latency_ms']:>7.1f}  {first}")
    s = report["summary"]
    lines.append("")
    lines.append("summary: " + "  ".join(f"{k}={v}" for k, v in s.items()))
    return "\n".join(lines)
