"""Scale: ingestion throughput, index size, peak memory and query latency, beside the LangChain recipe.

Run: `make bench` or `.venv/bin/python benchmarks/scale.py [--articles 100 1000] [--passages 100000]`.
Corpora are generated offline with a fixed seed (benchmarks/corpus.py) and embedded for real. Each
measurement runs in a child process, so its peak memory (max RSS) is its own. For query latency at
100,000 passages the vectors are synthetic unit vectors (e5 embeds about 26 short passages a second on
2 cores: 100,000 would take over two hours), while the passages and documents are real generated text.
"""

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from assistant.config import ROOT, Settings
from benchmarks.corpus import write_corpus
from benchmarks.timing import pct, timed

ARTICLE_CHARS = 2_000
QUERIES = 200
MEMORY_QUERIES = 2_000  # extra queries answered to see whether memory grows with them
SEED = 11


def rss_mb() -> float:
    """Current resident memory of this process (Linux)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3


def disk_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def questions(texts: list[str], n: int, seed: int = SEED) -> list[str]:
    """Questions made of words of random passages (what a reader might type), seeded."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        words = [w for w in rng.choice(texts).split() if len(w) > 3]
        out.append(" ".join(rng.sample(words, min(5, len(words)))) + " ?")
    return out


def collection_name(work: Path) -> str:
    """A Chroma collection per run (they share one server): letters and digits of the folder's name."""
    return "".join(ch for ch in work.name if ch.isalnum())


# -- one measurement, in a child process ---------------------------------------------------------
def run_ours(corpus: Path, work: Path, chroma_url: str | None) -> dict[str, Any]:
    from assistant.assistant import Assistant

    settings = Settings(index_dir=work / "index", cache_dir=ROOT / "index" / "cache", corpus_dir=work / "none",
                        llm="extractive",
                        chroma_url=chroma_url, collection=collection_name(work))
    assistant = Assistant(settings)
    base = rss_mb()
    start = time.perf_counter()
    report = assistant.ingest([corpus])
    seconds = time.perf_counter() - start
    latencies = timed(assistant.ask, questions(article_texts(corpus), QUERIES))
    return {"docs": len(report.added), "passages": report.passages, "seconds": seconds,
            "disk_mb": disk_mb(work / "index") - disk_mb(work / "index" / "cache") if (work / "index").exists() else 0,
            "latencies": latencies, "peak_mb": peak_mb(), "ingest_rss_mb": rss_mb() - base}


def article_texts(corpus: Path) -> list[str]:
    return [p.read_text(encoding="utf-8")[:1000] for p in sorted(corpus.glob("*.txt"))]


def run_recipe(corpus: Path, work: Path) -> dict[str, Any]:
    from benchmarks import recipe

    paths = sorted(corpus.glob("*.txt"))
    start = time.perf_counter()
    retriever = recipe.build(paths, str(work / "recipe"))
    seconds = time.perf_counter() - start
    count = retriever.vectorstore._collection.count()
    latencies = timed(retriever.invoke, questions(article_texts(corpus), QUERIES))
    return {"docs": len(paths), "passages": count, "seconds": seconds, "disk_mb": disk_mb(work / "recipe"),
            "latencies": latencies, "peak_mb": peak_mb()}


def fill_synthetic(work: Path, passages: int, chroma_url: str | None) -> Settings:
    """An index of generated articles whose passages carry seeded random unit vectors, not e5's."""
    import numpy as np

    from assistant import documents
    from assistant.assistant import index_key
    from assistant.chunking import chunk
    from assistant.embeddings import load_embedder
    from assistant.store import Store

    settings = Settings(index_dir=work / "index", cache_dir=ROOT / "index" / "cache", corpus_dir=work / "none",
                        llm="extractive",
                        chroma_url=chroma_url, collection=collection_name(work))
    corpus = work / "corpus"
    per_article = 12  # passages in a generated article of ARTICLE_CHARS, about
    write_corpus(corpus, passages // per_article + 1, chars=ARTICLE_CHARS, seed=SEED)
    embedder = load_embedder(settings.embedder, None, settings.cache_dir or ROOT / "index" / "cache")
    store = Store(settings.index_dir, embedder, index_key(embedder, settings.title_context), chroma_url,
                  settings.collection)
    rng = np.random.default_rng(SEED)
    total, batch = 0, []
    with store.writing():
        for path in sorted(corpus.glob("*.txt")):
            doc = documents.load(path, 10_000_000)
            batch.append((doc, chunk(doc)))
            total += len(batch[-1][1])
            if sum(len(c) for _, c in batch) >= 2_000 or total >= passages:
                n = sum(len(c) for _, c in batch)
                vectors = rng.normal(size=(n, 384)).astype(np.float32)
                store.add_many(batch, vectors / np.linalg.norm(vectors, axis=1, keepdims=True))
                batch = []
            if total >= passages:
                break
    (settings.index_dir / ".initialised").touch()
    return settings


def run_synthetic(work: Path, passages: int, chroma_url: str | None) -> dict[str, Any]:
    from assistant.assistant import Assistant

    settings = fill_synthetic(work, passages, chroma_url)
    start = time.perf_counter()
    assistant = Assistant(settings)
    opened = time.perf_counter() - start
    texts = article_texts(work / "corpus")
    qs = questions(texts, QUERIES)
    latencies = timed(assistant.ask, qs)
    rss = [rss_mb()]
    for round_ in range(2):
        for q in questions(texts, MEMORY_QUERIES, seed=SEED + 1 + round_):
            assistant.ask(q)
        rss.append(rss_mb())
    return {"passages": assistant.store.count(), "open_seconds": opened, "latencies": latencies,
            "rss": rss, "peak_mb": peak_mb()}


def run_recipe_synthetic(work: Path, passages: int) -> dict[str, Any]:
    """The recipe's query path (embed the question, Chroma top-4) over as many synthetic vectors."""
    import chromadb
    import numpy as np
    from chromadb.config import Settings as ChromaSettings
    from langchain_chroma import Chroma

    from benchmarks import recipe

    client = chromadb.PersistentClient(path=str(work / "recipe"), settings=ChromaSettings(anonymized_telemetry=False))
    collection = client.get_or_create_collection("recipe")
    rng = np.random.default_rng(SEED)
    step = client.get_max_batch_size()
    for i in range(0, passages, step):
        n = min(step, passages - i)
        vectors = rng.normal(size=(n, 384)).astype(np.float32)
        collection.add(ids=[f"c{i + j}" for j in range(n)], embeddings=vectors / np.linalg.norm(vectors, axis=1,
                       keepdims=True), documents=[f"passage {i + j}" for j in range(n)])
    store = Chroma(collection_name="recipe", embedding_function=recipe.MiniLM(), client=client)
    retriever = store.as_retriever(search_kwargs={"k": recipe.K})
    qs = [f"question numéro {i} sur la guerre ?" for i in range(QUERIES)]
    return {"passages": collection.count(), "latencies": timed(retriever.invoke, qs), "peak_mb": peak_mb()}


def child(args: argparse.Namespace) -> None:
    work = Path(args.work)
    if args.run == "ours":
        out = run_ours(Path(args.corpus), work, args.chroma_url)
    elif args.run == "recipe":
        out = run_recipe(Path(args.corpus), work)
    elif args.run == "synthetic":
        out = run_synthetic(work, args.passages, args.chroma_url)
    else:
        out = run_recipe_synthetic(work, args.passages)
    print(json.dumps(out))


# -- the table -----------------------------------------------------------------------------------
def measure(run: str, tmp: Path, **kw: Any) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(dir=tmp, prefix=f"{run}-"))
    cmd = [sys.executable, __file__, "--child", run, "--work", str(work)]
    for k, v in kw.items():
        if v is not None:
            cmd += [f"--{k.replace('_', '-')}", str(v)]
    done = subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        raise RuntimeError(f"{run} failed:\n{done.stderr[-3000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    from scripts.chroma import chroma_server

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, nargs="*", default=[100, 1000])
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument("--child", choices=["ours", "recipe", "synthetic", "recipe-synthetic"])
    parser.add_argument("--work")
    parser.add_argument("--corpus")
    parser.add_argument("--chroma-url")
    args = parser.parse_args()
    if args.child:
        args.run = args.child
        child(args)
        return

    header = (f"{'corpus':<26} {'system':<22} {'passages':>8} {'ingest s':>8} {'pass/s':>7} {'docs/s':>7} "
              f"{'disk MB':>8} {'peak MB':>8} {'q p50 ms':>9} {'q p95 ms':>9}")
    rows = []

    def row(corpus: str, system: str, r: dict[str, Any]) -> None:
        lat = r["latencies"]
        secs = r.get("seconds")
        rows.append(f"{corpus:<26} {system:<22} {r['passages']:>8} "
                    + (f"{secs:>8.1f} {r['passages'] / secs:>7.1f} {r['docs'] / secs:>7.2f} {r['disk_mb']:>8.1f} "
                       if secs else f"{'-':>8} {'-':>7} {'-':>7} {'-':>8} ")
                    + f"{r['peak_mb']:>8.0f} {statistics.median(lat):>9.1f} {pct(lat, 0.95):>9.1f}")
        print(rows[-1], flush=True)

    print(header, flush=True)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        with chroma_server(tmp / "server") as url:
            for n in args.articles:
                corpus = tmp / f"corpus-{n}"
                write_corpus(corpus, n, chars=ARTICLE_CHARS, seed=SEED)
                name = f"{n} articles x {ARTICLE_CHARS} ch"
                ours = measure("ours", tmp, corpus=corpus)
                row(name, "this project, embedded", ours)
                row(name, "this project, server", measure("ours", tmp, corpus=corpus, chroma_url=url))
                base = measure("recipe", tmp, corpus=corpus)
                row(name, "recipe (top-4)", base)
                print(f"{'':<26} ingestion docs/s ratio (ours embedded / recipe): "
                      f"{(ours['docs'] / ours['seconds']) / (base['docs'] / base['seconds']):.2f}", flush=True)
            name = f"{args.passages:,} passages, synthetic vectors"
            synth = measure("synthetic", tmp, passages=args.passages)
            row(name, "this project, embedded", synth)
            served = measure("synthetic", tmp, passages=args.passages, chroma_url=url)
            row(name, "this project, server", served)
            row(name, "recipe (top-4)", measure("recipe-synthetic", tmp, passages=args.passages))
    print(f"\n{args.passages:,} passages: vectors = seeded random unit vectors (e5 is too slow to embed them here); "
          "passages and documents = the real generated text.")
    for label, r in (("embedded", synth), ("server", served)):
        a, b, c = r["rss"]
        print(f"memory ({label}): {a:.0f} MB after {QUERIES} queries, {b:.0f} MB after {MEMORY_QUERIES} more, "
              f"{c:.0f} MB after {MEMORY_QUERIES} more again; index opened in {r['open_seconds']:.1f} s")


if __name__ == "__main__":
    main()
