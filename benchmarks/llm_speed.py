"""The built-in chat model as a reader meets it: evidence on screen, first written sentence, full answer.

Run: `make bench` or `.venv/bin/python benchmarks/llm_speed.py`. Warm (model loaded, one question asked
first), over the dev questions: median and p95 of the time to the evidence (the first text piece), to the
first sentence of the written answer, and to the finished answer; the extractive answerer beside it in
the same run; llama.cpp's prefill and generation speed on each answer prompt; peak memory of both processes.
Also how many answers got a checked written answer. Then the same
for a written summary (one request in each of five languages, benchmarks/data/overview_requests.json).
"""

import json
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from assistant.answering import messages
from assistant.answering.llm import ANSWER_HUMAN, ANSWER_SYSTEM, MAX_TOKENS, PROMPT_PASSAGES, quote
from assistant.assistant import Assistant
from assistant.config import ROOT, Settings
from assistant.types import Answer
from benchmarks.timing import pct

SHARED = ROOT.parent / "shared"


def run(assistant: Assistant, questions: list[str]) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {"evidence": [], "first written": [], "full": [], "written": []}
    assistant.ask(questions[0])  # warm: the model is loaded once per process
    for q in questions:
        start = time.perf_counter()
        first = written = None
        for piece in assistant.stream(q):
            now = (time.perf_counter() - start) * 1000
            if isinstance(piece, str):
                first = first or now
                if written is None and any(f"**{h}**" in piece for h in messages.WRITTEN_HEAD.values()):
                    written = now
            elif isinstance(piece, Answer):
                out["written"].append(1.0 if piece.written else 0.0)
        out["full"].append((time.perf_counter() - start) * 1000)
        out["evidence"].append(first or 0.0)
        if written is not None:
            out["first written"].append(written)
    return out


def throughput(assistant: Assistant, questions: list[str]) -> tuple[list[float], list[float], list[float]]:
    """llama.cpp's own timings for each question's answer prompt, read whole (no prompt cache): prompt tokens,
    prefill tokens/s, generation tokens/s."""
    import httpx

    server = assistant.llm._server  # type: ignore[union-attr]
    tokens, prefill, generation = [], [], []
    for q in questions:
        numbered = list(enumerate(assistant.passages(q)[:PROMPT_PASSAGES], start=1))
        human = ANSWER_HUMAN.format(history="", passages=quote(numbered), question=q, language="English")
        reply = httpx.post(f"{server.url}/chat/completions", headers={"Authorization": f"Bearer {server.api_key}"},
                           json={"messages": [{"role": "system", "content": ANSWER_SYSTEM},
                                              {"role": "user", "content": human}],
                                 "max_tokens": MAX_TOKENS, "temperature": 0, "cache_prompt": False}, timeout=300)
        timings = reply.json()["timings"]
        tokens.append(timings["prompt_n"])
        prefill.append(timings["prompt_per_second"])
        generation.append(timings["predicted_per_second"])
    return tokens, prefill, generation


def main() -> None:
    items = [i for i in json.loads((SHARED / "dev_questions.json").read_text())["items"] if not i.get("abstain")]
    questions = [i["q"] for i in items]
    requests = json.loads((Path(__file__).parent / "data" / "overview_requests.json").read_text())["items"]
    summaries = [next(i["q"] for i in requests if i["lang"] == lang and not i.get("docs"))
                 for lang in ("en", "fr", "it", "es", "de")]
    with tempfile.TemporaryDirectory() as tmp:
        base = Settings(index_dir=Path(tmp) / "index", cache_dir=ROOT / "index" / "cache")
        local = Assistant(base.model_copy(update={"llm": "local"}))
        results = {
            "extractive": run(Assistant(base.model_copy(update={"llm": "extractive"})), questions),
            "local (built-in model)": run(local, questions),
            "local, summaries": run(local, summaries),
        }
        tokens, prefill, generation = throughput(local, questions)
        model_pid = local.llm._server._process.pid  # type: ignore[union-attr]
        model_peak = Path(f"/proc/{model_pid}/status").read_text().split("VmHWM:")[1].split()[0]  # kB
    print(f"{len(questions)} dev questions and {len(summaries)} summary requests, warm, ms  {'median':>8} {'p95':>8}")
    for system, r in results.items():
        for name in ("evidence", "first written", "full"):
            if r[name]:
                print(f"  {system:<24} {name:<14} {statistics.median(r[name]):>8.0f} {pct(r[name], 0.95):>8.0f}")
        print(f"  {system:<24} checked written answers: {int(sum(r['written']))} of {len(r['written'])}")
    print(f"llama.cpp, each answer prompt read whole ({statistics.median(tokens):.0f} tokens median): prefill "
          f"{statistics.median(prefill):.0f} tokens/s, generation {statistics.median(generation):.1f} tokens/s "
          "(medians)")
    chat, model = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3, int(model_peak) / 1e3
    print(f"peak RSS: the chat's process (both answerers) {chat:.0f} MB, the model's process {model:.0f} MB, "
          f"together {chat + model:.0f} MB")


if __name__ == "__main__":
    main()
