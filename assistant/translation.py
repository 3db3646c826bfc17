"""Word-by-word query translation from Debian's FreeDict dictionaries (dictd files, GPL-2+).

A general resource, installed by `make install`: English and Italian questions over French text need
French words to match. Headwords are indexed by their stem, so 'soldiers' finds 'soldier'.
"""

import gzip
import logging
import pickle
import re
from collections import defaultdict
from pathlib import Path

from assistant.text import content_words, stem

log = logging.getLogger(__name__)

DICT_DIR = Path("/usr/share/dictd")
# Full names FreeDict uses for the languages we detect.
ISO3 = {"en": "eng", "fr": "fra", "it": "ita", "es": "spa", "de": "deu", "pt": "por", "nl": "nld"}
MAX_SENSES = 4
MIN_ROOT, MAX_SUFFIX = 4, 3  # a root of at least 4 letters, at most 3 letters shorter than the word
TABLE_VERSION = 2  # bump when parsing or stop words change: cached tables are then rebuilt
_NUMBERED = re.compile(r"^\s*\d+\.\s*")
_BRACKETS = re.compile(r"\([^)]*\)|\[[^]]*\]|<[^>]*>|/[^/]*/")


def _entries(path: Path) -> list[tuple[str, list[str]]]:
    """(headword, [translation phrases]) for every entry of a dictd file pair."""
    with gzip.open(path.with_suffix(".dict.dz")) as f:
        data = f.read()
    out = []
    for line in path.with_suffix(".index").read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) != 3 or parts[0].startswith("00-database"):
            continue
        offset, length = _b64(parts[1]), _b64(parts[2])
        body = data[offset : offset + length].decode("utf-8", "replace").splitlines()[1:]
        phrases = []
        for sense in body[:MAX_SENSES]:
            sense = _BRACKETS.sub(" ", _NUMBERED.sub("", sense))
            phrases += [p.strip() for p in re.split(r"[,;]", sense) if p.strip()]
        out.append((parts[0], phrases))
    return out


_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def _b64(text: str) -> int:
    value = 0
    for ch in text:
        value = value * 64 + _B64.index(ch)
    return value


def lookup(table: dict[str, frozenset[str]], key: str) -> frozenset[str]:
    """The entry for a stem, else for its longest headword prefix: derived words missing from the
    dictionary ('western') borrow their root's translations ('west' -> occident, ouest)."""
    found = table.get(key)
    if found is not None:
        return found
    for cut in range(len(key) - 1, max(MIN_ROOT, len(key) - MAX_SUFFIX) - 1, -1):
        found = table.get(key[:cut])
        if found is not None:
            return found
    return frozenset()


class Translator:
    """Translates query words between languages; tables are parsed once and cached under cache_dir."""

    def __init__(self, dict_dir: Path = DICT_DIR, cache_dir: Path | None = None) -> None:
        self.dict_dir = dict_dir
        self.cache_dir = cache_dir
        self._tables: dict[tuple[str, str], dict[str, frozenset[str]]] = {}

    def translate(self, words: list[str], src: str, dst: str) -> dict[str, set[str]]:
        """Each source word -> its dst-language translations (empty when the dictionaries have none)."""
        if src == dst:
            return {w: set() for w in words}
        table = self._table(src, dst)
        if not table and "en" not in (src, dst):  # pivot through English (e.g. it -> en -> fr)
            out: dict[str, set[str]] = {}
            for word, english in self.translate(words, src, "en").items():
                pivot = self.translate(sorted(english), "en", dst)
                out[word] = set().union(*pivot.values()) if pivot else set()
            return out
        return {w: set(lookup(table, stem(w, src))) for w in words}

    def _table(self, src: str, dst: str) -> dict[str, frozenset[str]]:
        if (src, dst) not in self._tables:
            self._tables[src, dst] = self._load(src, dst)
        return self._tables[src, dst]

    def _load(self, src: str, dst: str) -> dict[str, frozenset[str]]:
        forward = self.dict_dir / f"freedict-{ISO3.get(src, src)}-{ISO3.get(dst, dst)}.index"
        backward = self.dict_dir / f"freedict-{ISO3.get(dst, dst)}-{ISO3.get(src, src)}.index"
        sources = [p for p in (forward, backward) if p.exists()]
        cache = None
        if self.cache_dir and sources:
            stamp = "-".join(str(int(p.stat().st_mtime)) for p in sources)
            cache = self.cache_dir / f"dict-v{TABLE_VERSION}-{src}-{dst}-{stamp}.pickle"
            if cache.exists():
                with cache.open("rb") as f:
                    return pickle.load(f)  # our own file, written below
        table: dict[str, set[str]] = defaultdict(set)
        if forward.exists():
            for head, phrases in _entries(forward):
                if " " not in head.strip():
                    for phrase in phrases:
                        table[stem(head.lower(), src)].update(content_words(phrase, dst))
        if backward.exists():
            for head, phrases in _entries(backward):
                if " " not in head.strip():
                    for phrase in phrases:
                        if " " not in phrase:
                            table[stem(phrase.lower(), src)].update(content_words(head, dst))
        if not table and "en" in (src, dst):
            log.warning("no %s-%s dictionary under %s: cross-language matching is weaker", src, dst, self.dict_dir)
        frozen = {k: frozenset(v) for k, v in table.items()}
        if cache:
            cache.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache.with_suffix(".tmp")
            with tmp.open("wb") as f:
                pickle.dump(frozen, f)
            tmp.replace(cache)
        return frozen
