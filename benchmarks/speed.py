"""Speed: warm per-question latency and the cold wall time of one `assistant ask`, beside the recipe.

Run: `make bench` or `.venv/bin/python benchmarks/speed.py`. Medians and p95 over the dev questions
(warm, repeated ROUNDS times); cold = a new process on an existing index, median of COLD_RUNS.
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from assistant.assistant import Assistant
from assistant.config import ROOT, Settings
from benchmarks import recipe
from benchmarks.timing import pct, timed

ROUNDS = 5
COLD_RUNS = 5  # a cold start on a shared 2-core machine varies by ±0.3 s
QUESTION = "What did Lavrov claim?"


def cold(cmd: list[str], env: dict[str, str]) -> float:
    runs = []
    for _ in range(COLD_RUNS):
        start = time.perf_counter()
        subprocess.run(cmd, env=env, check=True, capture_output=True, stdin=subprocess.DEVNULL)
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main() -> None:
    questions = [i["q"] for i in json.loads((ROOT.parent / "shared" / "dev_questions.json").read_text())["items"]]
    corpus = sorted((ROOT / "corpus").glob("*.txt"))
    with tempfile.TemporaryDirectory() as tmp:
        index_dir, recipe_dir = Path(tmp) / "index", Path(tmp) / "recipe"
        settings = Settings(index_dir=index_dir, cache_dir=ROOT / "index" / "cache", llm="extractive")
        ours = Assistant(settings)
        baseline = recipe.build(corpus, str(recipe_dir))
        first_piece: list[float] = []

        def stream_first(q: str) -> None:
            start = time.perf_counter()
            for piece in ours.stream(q):
                if isinstance(piece, str):
                    first_piece.append((time.perf_counter() - start) * 1000)
                    break

        rows = {
            "this project: ask (retrieve + answer)": timed(ours.ask, questions, ROUNDS),
            "this project: first streamed text": (timed(stream_first, questions, ROUNDS), first_piece)[1],
            f"recipe: retriever top-{recipe.K} only": timed(baseline.invoke, questions, ROUNDS),
        }
        print(f"{'warm, per question (ms)':<40} {'median':>8} {'p95':>8}")
        for name, values in rows.items():
            print(f"{name:<40} {statistics.median(values):>8.1f} {pct(values, 0.95):>8.1f}")
        env = {**os.environ, "ASSISTANT_LLM": "extractive", "ASSISTANT_INDEX_DIR": str(index_dir),
               "ASSISTANT_CACHE_DIR": str(settings.cache_dir),
               "RECIPE_DIR": str(recipe_dir)}
        ours_cold = cold([sys.executable, "-m", "assistant.cli", "ask", QUESTION], env)
        base_cold = cold([sys.executable, str(Path(__file__).parent / "recipe.py"), QUESTION], env)
        print(f"\ncold `assistant ask` on an existing index: {ours_cold:.2f} s (median of {COLD_RUNS})")
        print(f"cold recipe (import, open index, one query): {base_cold:.2f} s; ratio {ours_cold / base_cold:.2f}")
        trace = subprocess.run([sys.executable, "-X", "importtime", "-m", "assistant.cli", "ask", QUESTION], env=env,
                               capture_output=True, text=True, stdin=subprocess.DEVNULL)
        heavy = ("| torch", "| sentence_transformers")
        torch = [line for line in trace.stderr.splitlines() if line.rstrip().endswith(heavy)]
        print(f"torch imported by a cold `assistant ask` (python -X importtime): {'yes' if torch else 'no'}")


if __name__ == "__main__":
    main()
