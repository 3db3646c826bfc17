"""Reading files: encodings, formats, refusals."""

from pathlib import Path

import pytest

from assistant import documents
from assistant.errors import BadDocument

MB = 10**6


def test_utf8_text_keeps_exact_text_and_title(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("Titre de l'article\n\nLe ministre a déclaré « non ».\n", encoding="utf-8")
    doc = documents.load(path, MB)
    assert doc.text == path.read_text(encoding="utf-8")
    assert doc.title == "Titre de l'article"
    assert doc.name == "a.txt"
    assert doc.id == documents.content_id(doc.text)


def test_latin1_file_is_decoded_not_mangled(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    text = "Le ministre de la Défense a été reçu à Bruxelles après la réunion de l'été, déjà prévue.\n" * 3
    path.write_bytes(text.encode("latin-1"))
    assert documents.load(path, MB).text == text


def test_binary_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "image.txt"
    path.write_bytes(bytes(range(256)) * 10)
    with pytest.raises(BadDocument, match="binary"):
        documents.load(path, MB)


def test_empty_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.md"
    path.write_text("  \n\n", encoding="utf-8")
    with pytest.raises(BadDocument, match="empty"):
        documents.load(path, MB)


def test_missing_path_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BadDocument, match="no such file"):
        documents.load(tmp_path / "nope.txt", MB)


def test_unsupported_type_and_oversize_are_refused(tmp_path: Path) -> None:
    exe = tmp_path / "tool.exe"
    exe.write_bytes(b"MZ")
    with pytest.raises(BadDocument, match="unsupported type"):
        documents.load(exe, MB)
    big = tmp_path / "big.txt"
    big.write_text("a" * 2000, encoding="utf-8")
    with pytest.raises(BadDocument, match="limit"):
        documents.load(big, 1000)


def test_html_text_and_title_without_scripts(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text("<html><head><title>Une page</title><script>var x='secret';</script></head>"
                    "<body><h1>Titre</h1><p>Le texte du paragraphe.</p></body></html>", encoding="utf-8")
    doc = documents.load(path, MB)
    assert doc.title == "Une page"
    assert "Le texte du paragraphe." in doc.text
    assert "secret" not in doc.text


def test_pdf_text_is_extracted(tmp_path: Path) -> None:
    path = tmp_path / "doc.pdf"
    path.write_bytes(minimal_pdf("Hello from a PDF file"))
    assert "Hello from a PDF file" in documents.load(path, MB).text


def test_folder_is_walked_for_supported_files(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.md").write_text("x", encoding="utf-8")
    (tmp_path / "b.txt").write_text("y", encoding="utf-8")
    (tmp_path / "c.bin").write_bytes(b"\0")
    found = {p.name for p in documents.iter_paths([tmp_path])}
    assert found == {"a.md", "b.txt"}


def minimal_pdf(text: str) -> bytes:
    """A one-page PDF with one line of text, built by hand (no PDF writer needed)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
