"""Ingesting saved news pages: the article (trafilatura) against every text of the page (the earlier way).

Per page: read + extract + chunk + embed (both vectors, as the index stores them), median of a few rounds,
and the passages each way makes. The pages are the test pages in tests/data/pages (news pages as saved,
menus and prompts included), and each again with the 300 menu entries and teasers a big news site's page
carries (the saved pages of issue 20 made ~387 passages each). Run: `.venv/bin/python benchmarks/html_ingest.py`.
"""

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from assistant import documents
from assistant.chunking import chunk
from assistant.config import Settings, cache_dir
from assistant.embeddings import load_embedder
from assistant.ingest import chunk_vectors
from assistant.types import Document

PAGES = sorted((Path(__file__).resolve().parent.parent / "tests" / "data" / "pages").glob("*.html"))
ROUNDS = 3
TEASERS = 300


def with_teasers(path: Path, folder: Path) -> Path:
    """The page with a site's usual furniture added: menus and teaser lists around the article."""
    items = "".join(f"<li><a href='/story/{i}'>Teaser headline number {i} about another story of the day</a></li>"
                    for i in range(TEASERS))
    html = path.read_text(encoding="utf-8").replace("<footer>", f"<aside class='more'><ul>{items}</ul></aside><footer>")
    out = folder / f"big-{path.name}"
    out.write_text(html, encoding="utf-8")
    return out


def whole_page(path: Path) -> Document:
    """What ingest kept of a page before: every text node (BeautifulSoup's get_text)."""
    text, title = documents._all_html_text(path.read_text(encoding="utf-8"))
    return Document(id=documents.content_id(text), name=path.name, title=title, path=str(path), text=text)


def article(path: Path) -> Document:
    return documents.load(path, 20_000_000)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="pages-") as tmp:
        run(PAGES, "saved news pages")
        run([with_teasers(p, Path(tmp)) for p in PAGES], f"the same with {TEASERS} menu entries and teasers")


def run(pages: list[Path], label: str) -> None:
    settings = Settings()
    embedder = load_embedder(settings.embedder, settings.model_dir, cache_dir(settings))

    def measure(read: Callable[[Path], Document]) -> tuple[float, float]:
        times, passages = [], []
        for _ in range(ROUNDS):
            for path in pages:
                start = time.perf_counter()
                chunks = chunk(read(path))
                chunk_vectors(embedder, chunks)
                times.append(time.perf_counter() - start)
                passages.append(len(chunks))
        return statistics.median(times), statistics.mean(passages)

    measure(article)  # warm-up: imports, the model's first call
    before, before_n = measure(whole_page)
    after, after_n = measure(article)
    print(f"{label} ({len(pages)}), per page, median of {ROUNDS} rounds: read + extract + chunk + embed")
    print(f"  every text of the page (before)  {before * 1000:8.1f} ms  {before_n:5.1f} passages")
    print(f"  the article (trafilatura)        {after * 1000:8.1f} ms  {after_n:5.1f} passages")
    print(f"  ratio article / before: {after / before:.2f}x time")


if __name__ == "__main__":
    main()
