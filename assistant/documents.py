"""Read a file into a Document: decode it, extract its text, refuse what cannot be indexed."""

import hashlib
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.errors import BadDocument
from assistant.types import Document

log = logging.getLogger(__name__)

TEXT_SUFFIXES = {".txt", ".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
WESTERN = ("cp1252", "latin_1", "iso8859_15")
SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | {".pdf"}
MAIN_TEXT = "trafilatura-main-1"  # a page's article; an HTML document extracted otherwise is read again
FULL_PAGE = "full-page-1"  # the extractor found no article: every text node of the page


def iter_paths(paths: Iterable[Path]) -> Iterator[Path]:
    """Expand folders into the supported files below them; files are passed through for load() to judge."""
    for path in paths:
        if path.is_dir():
            yield from sorted(
                p for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in SUFFIXES
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        else:
            yield path


def load(path: Path, max_bytes: int, name: str | None = None) -> Document:
    """Read one file; raise BadDocument with a one-line reason if it cannot be indexed."""
    if not path.exists():
        raise BadDocument(f"{path}: no such file or folder")
    if not path.is_file():
        raise BadDocument(f"{path}: not a regular file")
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise BadDocument(f"{path.name}: unsupported type {suffix or '(none)'}; use {', '.join(sorted(SUFFIXES))}")
    size = path.stat().st_size
    if size > max_bytes:
        raise BadDocument(f"{path.name}: {size / 1e6:.1f} MB is over the {max_bytes / 1e6:.1f} MB limit")
    data = path.read_bytes()
    page = Page()
    if suffix == ".pdf":
        text, page.title = _pdf_text(data, path.name)
    else:
        text = _decode(data, path.name)
        if suffix in HTML_SUFFIXES:
            text, page = _html_text(text)
    if not text.strip():
        raise BadDocument(f"{path.name}: the document is empty (no text to index)")
    name = name or path.name
    return Document(
        id=content_id(text), name=name, title=page.title or _title_from_text(text) or path.stem,
        path=str(path.resolve()), text=text, date=page.date, author=page.author, site=page.site,
        extractor=page.extractor,
    )


def content_id(text: str) -> str:
    """A document's id is a hash of its text, so the same content is never indexed twice."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _decode(data: bytes, name: str) -> str:
    """UTF-8 first; otherwise the encoding charset-normalizer finds; refuse binary data."""
    if _looks_binary(data):
        raise BadDocument(f"{name}: binary file, not text; convert it to .txt, .md, .html or .pdf")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    matches = from_bytes(data)
    best = matches.best()
    if best is None:
        raise BadDocument(f"{name}: cannot detect the text encoding; save it as UTF-8")
    # Short Western text is ambiguous between 8-bit code pages; the common one wins a near tie.
    western = [m for m in matches if m.encoding in WESTERN and m.chaos <= best.chaos + 0.1]
    best = western[0] if western else best
    log.info("%s decoded as %s", name, best.encoding)
    return str(best)


def _looks_binary(data: bytes) -> bool:
    head = data[:8192]
    if b"\x00" in head:
        return True
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return control > max(8, len(head) // 20)


@dataclass
class Page:
    """What a file says of itself besides its text."""

    title: str = ""
    date: str = ""
    author: str = ""
    site: str = ""
    extractor: str = ""


def _html_text(html: str) -> tuple[str, Page]:
    """A saved news page's article: headline, its byline (site, date, author), then the main text, as
    trafilatura finds it (menus, teasers, cookie and newsletter prompts, comments left out). Only when it
    finds no main text, every text node of the page (the ingest report says so)."""
    import trafilatura

    # favor_recall: the precise setting drops a standfirst marked up as a "teaser"; menus stay out either way
    found = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False, favor_recall=True,
                                        include_tables=True)
    meta: dict[str, Any] = found if isinstance(found, dict) else found.as_dict() if found is not None else {}
    body = [line.strip() for line in (meta.get("text") or "").splitlines() if line.strip()]
    if not body:
        text, title = _all_html_text(html)
        return text, Page(title=title, extractor=FULL_PAGE)
    page = Page(title=meta.get("title") or "", date=meta.get("date") or "", author=meta.get("author") or "",
                site=meta.get("sitename") or "", extractor=MAIN_TEXT)
    if page.title and body[0] == page.title:
        body = body[1:]
    return "\n\n".join(part for part in (page.title, _credit_line(page), *body) if part), page


def _credit_line(page: Page) -> str:
    """The page's date, author and site as a line of the text, so that a question about them can cite it."""
    if not (page.date or page.author):
        return ""
    said = " ".join(part for part in ("Published", page.date, page.author and f"by {page.author}") if part)
    return f"{said}, {page.site}." if page.site else f"{said}."


def _all_html_text(html: str) -> tuple[str, str]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "noscript", "template"]):
        tag.decompose()
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    if soup.title:
        soup.title.decompose()
    lines = (line.strip() for line in soup.get_text("\n").splitlines())
    return "\n\n".join(line for line in lines if line), title


def _pdf_text(data: bytes, name: str) -> tuple[str, str]:
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    if not data.startswith(b"%PDF"):
        raise BadDocument(f"{name}: not a PDF file (no %PDF header)")
    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
        title = str(reader.metadata.get("/Title") or "") if reader.metadata else ""
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        raise BadDocument(f"{name}: unreadable PDF ({exc})") from exc
    return "\n\n".join(p.strip() for p in pages if p.strip()), title


def _title_from_text(text: str) -> str:
    """The first line, when it is short enough to be a headline."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    first = first.lstrip("#").strip()
    return first if 0 < len(first) <= 160 else ""
