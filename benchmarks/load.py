"""Load: a freshly started app, 50 clients asking 4 questions each at once, in several languages.

Run: `make bench` or `.venv/bin/python benchmarks/load.py [--runs 3]`. Each run starts `app.py` anew on an
existing index (cold: nothing warmed in the process), waits only for its page, then 50 gradio_client
sessions fire their questions through the /ask API together. Reports failed requests, latency (p50,
p95, from each client's send to its answer) and throughput; all traffic stays on 127.0.0.1.
"""

import argparse
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from assistant.assistant import Assistant
from assistant.config import ROOT, Settings
from benchmarks.timing import pct
from scripts.browser import free_port, served

CLIENTS, QUESTIONS_EACH = 50, 4
QUESTIONS = ["What did Lavrov claim?", "Qui a confirmé le déploiement ?", "Dove ha parlato Mark Rutte?",
             "¿Qué ha suministrado Pyongyang a Rusia?", "Wer ist Mark Rutte?", "What is the capital of Australia?",
             "Que vont continuer à faire les Alliés ?", "Is Kursk in Russia or in Ukraine?"]


def one_run(index_dir: Path, llm: str, clients: int, each: int) -> dict[str, float]:
    from gradio_client import Client

    port = free_port()
    env = {"ASSISTANT_INDEX_DIR": str(index_dir), "ASSISTANT_QUEUE_SIZE": "256", "ASSISTANT_LLM": llm,
           "ASSISTANT_CACHE_DIR": str(ROOT / "index" / "cache"), "ASSISTANT_LLM_TIMEOUT_S": "600"}
    latencies: list[float] = []
    errors: list[str] = []
    with served([sys.executable, "app.py"], env, port, warm=False):
        url = f"http://127.0.0.1:{port}"
        start = threading.Barrier(clients)

        def client(i: int) -> None:
            session = Client(url, verbose=False)
            start.wait()
            for j in range(each):
                question = QUESTIONS[(i + j) % len(QUESTIONS)]
                t = time.perf_counter()
                try:
                    out = session.predict(question, [], api_name="/ask")
                    if "error" in out or not (out["citations"] or out["abstained"]):
                        errors.append(str(out)[:200])
                except Exception as exc:  # a failed request is what this benchmark counts
                    errors.append(f"{type(exc).__name__}: {exc}"[:200])
                latencies.append((time.perf_counter() - t) * 1000)

        began = time.perf_counter()
        with ThreadPoolExecutor(clients) as pool:
            list(pool.map(client, range(clients)))
        wall = time.perf_counter() - began
    for e in errors[:5]:
        print(f"    error: {e}", flush=True)
    return {"errors": len(errors), "p50": statistics.median(latencies), "p95": pct(latencies, 0.95),
            "throughput": len(latencies) / wall}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--local-clients", type=int, default=10, help="clients (one question each) for the "
                        "built-in model's run: its written answers queue, one generation at a time")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="load-") as tmp:
        index_dir = Path(tmp) / "index"
        Assistant(Settings(index_dir=index_dir, cache_dir=ROOT / "index" / "cache", llm="extractive"))  # built once
        print(f"{'answerer':<12} {'run':<4} {'clients':>7} {'requests':>8} {'failed':>7} {'p50 ms':>8} {'p95 ms':>8} "
              f"{'answers/s':>10}   (cold app each run, all clients at once)")
        runs = [("extractive", CLIENTS, QUESTIONS_EACH)] * args.runs + [("local", args.local_clients, 1)]
        for run, (llm, clients, each) in enumerate(runs, start=1):
            r = one_run(index_dir, llm, clients, each)
            print(f"{llm:<12} {run:<4} {clients:>7} {clients * each:>8} {r['errors']:>7} {r['p50']:>8.0f} "
                  f"{r['p95']:>8.0f} {r['throughput']:>10.2f}", flush=True)


if __name__ == "__main__":
    main()
