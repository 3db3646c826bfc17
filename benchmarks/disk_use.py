"""Disk an ingest uses: bytes per passage on disk (final and peak, sampled while it writes) against the room
the space check asks for before each batch (store.PASSAGE_BYTES, twice the texts, SPARE_BYTES), and what
the check costs. A check that asks for less than the peak lets Chroma hit a full disk mid-write.
Run: `.venv/bin/python benchmarks/disk_use.py`.
"""

import contextlib
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from assistant import store
from assistant.assistant import Assistant
from assistant.config import Settings
from benchmarks.corpus import write_corpus
from benchmarks.devsets import PIAF, XQUAD


def used(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def measure(name: str, folders: list[Path], work: Path) -> None:
    assistant = Assistant(Settings(index_dir=work / name, corpus_dir=work / "none", llm="extractive"))
    before = used(assistant.settings.index_dir)
    peak, done = [before], threading.Event()

    def sample() -> None:
        while not done.is_set():
            with contextlib.suppress(FileNotFoundError):  # a file replaced while we walked
                peak.append(used(assistant.settings.index_dir))
            time.sleep(0.2)  # walking the folder holds the GIL: often enough to see the journal, not more

    sampler = threading.Thread(target=sample)
    sampler.start()
    report = assistant.ingest(folders)
    done.set()
    sampler.join()
    after = used(assistant.settings.index_dir)
    texts = sum(len(assistant.text(d.id).encode()) for d in assistant.documents())
    asked = report.passages * store.PASSAGE_BYTES + 2 * texts + store.SPARE_BYTES
    print(f"{name:<28} {report.passages:>8} {(after - before) / report.passages:>10.0f} "
          f"{(max(peak) - before) / report.passages:>10.0f} {asked / max(1, max(peak) - before):>14.2f}")


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="disk-use-") as tmp:
        work = Path(tmp)
        generated = work / "generated"
        write_corpus(generated, 100, chars=3_000, seed=11)
        print(f"{'documents':<28} {'passages':>8} {'B/passage':>10} {'peak B/p':>10} {'asked / peak':>14}")
        measure("PIAF dev (40 paragraphs)", PIAF, work)
        measure("XQuAD dev (20 articles)", XQUAD, work)
        measure("100 generated articles", [generated], work)
        s = Settings(index_dir=work / "check", corpus_dir=work / "none", llm="extractive")
        check = Assistant(s).store
        start = time.perf_counter()
        for _ in range(1000):
            check.check_space(512, 100_000)
        print(f"space check: {(time.perf_counter() - start):.3f} ms a batch (free: "
              f"{shutil.disk_usage(work).free / 1e9:.1f} GB)")


if __name__ == "__main__":
    main()
