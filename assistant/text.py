"""Language tools from packages, never from the corpus: stop words, stemmers, accent folding, detection."""

import importlib.util
import re
import threading
import unicodedata
from functools import cache, lru_cache
from pathlib import Path
from types import ModuleType

# Languages we can detect and stem; stop words from stopwordsiso, stemmers from snowballstemmer.
STEMMERS = {
    "en": "english", "fr": "french", "it": "italian", "es": "spanish",
    "de": "german", "pt": "portuguese", "nl": "dutch",
}
LANGS = tuple(STEMMERS)
# Languages a reader may ask in beyond those we stem: told apart only to answer in them (stopwordsiso's stop
# words, py3langid). Without them a Russian question was taken for Italian or English and a Romanian one
# for Italian or French (0 of 25 and 0 of 17 dev questions right; 42 of 42 with them).
READER_LANGS = (*LANGS, "ru", "ro", "pl", "uk", "cs", "sv", "da", "fi", "el", "tr", "hu")
WORD = re.compile(r"[^\W_]+", re.UNICODE)
_ACCENT_HINTS = {"fr": "éèêàçùœ", "it": "àèìòù", "es": "ñáíóú¿¡", "de": "äöüß", "pt": "ãõç"}


def fold(text: str) -> str:
    """Lower-case and strip accents, so that 'Défense' and 'defense' meet."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=200_000)
def fold_word(word: str) -> str:
    """fold() for single words, cached."""
    return fold(word)


def words(text: str) -> list[str]:
    """Lower-cased word tokens; apostrophes and hyphens split (l'accord -> l, accord)."""
    return WORD.findall(text.lower())


NLTK_LISTS = {"en": "STOPWORDS_EN_PLUS", "fr": "STOPWORDS_FRENCH", "it": "STOPWORDS_ITALIAN",
              "es": "STOPWORDS_SPANISH", "de": "STOPWORDS_GERMAN", "pt": "STOPWORDS_PORTUGUESE",
              "nl": "STOPWORDS_DUTCH"}
COMMON_ZIPF = 5.5  # a word of stopwordsiso's long lists is a stop word only if it is this frequent


@cache
def stopwords(lang: str) -> frozenset[str]:
    """NLTK's short list (shipped in bm25s) plus the frequent words of stopwordsiso's long one.

    stopwordsiso alone drops content words ('text', 'year', 'old'); NLTK's alone keeps question
    words ('say', 'many'); wordfreq's general frequencies decide between them.
    """
    import stopwordsiso

    base = set(_nltk_list(lang))
    if stopwordsiso.has_lang(lang):
        base |= {w for w in stopwordsiso.stopwords(lang) if zipf(w, lang, full=False) >= COMMON_ZIPF}
    return frozenset(base | {fold(w) for w in base})


@cache
def function_words(lang: str) -> frozenset[str]:
    """Both lists whole: enough to tell languages apart, and cheap (no frequency tables loaded)."""
    import stopwordsiso

    return frozenset(set(_nltk_list(lang)) | (stopwordsiso.stopwords(lang) if stopwordsiso.has_lang(lang) else set()))


@cache
def _nltk_module() -> ModuleType:
    """bm25s's stop word lists, a module of plain tuples, loaded on its own: importing the bm25s package
    imports scipy, a fifth of a second of every cold `assistant ask` (benchmarks/speed.py)."""
    spec = importlib.util.find_spec("bm25s")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("bm25s (its stop word lists) is not installed: run `make install`")
    path = Path(spec.submodule_search_locations[0]) / "stopwords.py"
    module_spec = importlib.util.spec_from_file_location("assistant._nltk_stopwords", path)
    assert module_spec is not None and module_spec.loader is not None
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module


def _nltk_list(lang: str) -> tuple[str, ...]:
    return tuple(getattr(_nltk_module(), NLTK_LISTS.get(lang, ""), ()))


@cache
def _zipf_table(lang: str, full: bool = True) -> dict[str, float]:
    """wordfreq's Zipf frequencies for a language, read from its data file ("cBpack": a gzipped msgpack
    list whose n-th word list holds the words of frequency 10^(-n/100)). Importing the wordfreq package
    (ftfy, langcodes, regex) cost 0.4 s of every cold `assistant ask`; its tables are all we use.
    Not full: its small list, the same values for every word of Zipf >= 3.01 (checked for en, fr, it, de)
    in a tenth of the load time: enough to tell frequent words."""
    import gzip

    import msgpack

    spec = importlib.util.find_spec("wordfreq")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("wordfreq (word frequencies) is not installed: run `make install`")
    data = Path(spec.submodule_search_locations[0]) / "data"
    for size in ("large", "small") if full else ("small",):  # wordfreq's "best" list first
        path = data / f"{size}_{lang}.msgpack.gz"
        if path.is_file():
            with gzip.open(path, "rb") as f:
                header, *buckets = msgpack.load(f, raw=False)
            if header != {"format": "cB", "version": 1}:
                raise ValueError(f"{path}: not a wordfreq frequency list")
            table: dict[str, float] = {}
            for n, bucket in enumerate(buckets):  # dict.fromkeys: a third of the time of a comprehension
                table.update(dict.fromkeys(bucket, round(9 - n / 100, 2)))
            return table
    return {}


def zipf(word: str, lang: str, full: bool = True) -> float:
    """wordfreq's Zipf frequency of a single lower-case word (0 when unknown; below 3.01 too if not full)."""
    table = _zipf_table(lang, full)
    word = word.lower()
    return table.get(word) or table.get(word.replace("ß", "ss"), 0.0)  # wordfreq's tables spell ß as ss


def has_frequencies(lang: str) -> bool:
    """Whether wordfreq has a frequency list for the language (zipf() is 0 for every word otherwise)."""
    return bool(_zipf_table(lang))


_local = threading.local()


def _stemmer(lang: str):  # type: ignore[no-untyped-def]
    """One Snowball stemmer per thread and language: a stemmer keeps state between calls, and one shared
    by concurrent answers raised IndexError under load (../shared/PITFALLS.md)."""
    import snowballstemmer

    stemmers = _local.__dict__.setdefault("stemmers", {})
    if lang not in stemmers:
        stemmers[lang] = snowballstemmer.stemmer(STEMMERS.get(lang, "english"))
    return stemmers[lang]


@lru_cache(maxsize=200_000)
def stem(word: str, lang: str) -> str:
    """Snowball stem in the given language, then accent-folded."""
    return fold(_stemmer(lang).stemWord(word))


def content_words(text: str, lang: str) -> list[str]:
    """Words that carry meaning: stop words of the language dropped, numbers and single letters kept out."""
    stop = stopwords(lang)
    return [w for w in words(text) if w not in stop and (len(w) > 1 or w.isdigit())]


# Spelling conventions that differ between European languages for the same sound (k/c, ou/u, ph/f, y/i):
# folded away before comparing words, so transliterated names and cognates meet (Kursk/Koursk).
_SPELLING = [(re.compile(a), b) for a, b in
             [("ph", "f"), ("ou", "u"), ("qu", "c"), ("ck", "c"), ("k", "c"), ("y", "i"), ("w", "v"),
              (r"(.)\1", r"\1"), (r"(?<=..)[es]+$", "")]]


@lru_cache(maxsize=200_000)  # words repeat: a 100,000-passage index has far fewer distinct words
def skeleton(word: str) -> str:
    """A folded spelling skeleton for cognate matching: 'Poutine' and 'Putin' both give 'putin'."""
    out = fold(word)
    for pattern, repl in _SPELLING:
        out = pattern.sub(repl, out)
    return out


def grams(word: str, n: int = 3) -> list[str]:
    """Character n-grams of a word's spelling skeleton: they catch cognates (mutual/mutuel, Kursk/Koursk)."""
    padded = f"#{skeleton(word)}#"
    if len(padded) <= n:
        return [padded]
    return [padded[i : i + n] for i in range(len(padded) - n + 1)]


def _text_grams(text: str) -> set[str]:
    """A text's character 4-grams, folded, spaces kept (as '_')."""
    return set(grams(fold(text).replace(" ", "_"), 4))


def containment(a: str, b: str) -> float:
    """Share of text a's character 4-grams that text b repeats (a heading restating the sentence below)."""
    ga, gb = _text_grams(a), _text_grams(b)
    return len(ga & gb) / max(1, len(ga))


def overlap(a: str, b: str) -> float:
    """Dice similarity of two texts' character 4-gram sets: how much of one text the other repeats (a
    near-duplicate passage, a sentence copied from the prompt's example)."""
    ga, gb = _text_grams(a), _text_grams(b)
    return 2 * len(ga & gb) / max(1, len(ga) + len(gb))


def detect_language(text: str, default: str = "en") -> str:
    """The language whose stop words (and accents) the text uses most; short or unclear text -> default."""
    scores = _stop_word_scores(text)
    best = max(scores, key=lambda lang: (scores[lang], lang == default), default=default)
    return best if scores.get(best, 0) > 0 else default


CLEAR_LEAD = 0.1  # the stop-word share by which the first language must lead for the count to decide alone


def reader_language(question: str, default: str | None = None) -> str:
    """The language a question is asked in (answers and notices are written in it). Stop words decide when
    they clearly do; a short request with few of them ("Riassumi l'articolo" has none of Italian's) goes
    to py3langid's character n-gram model, restricted to READER_LANGS (loaded on first need, 0.6 s).
    Measured on 296 dev questions and requests in 8 languages (benchmarks/answerability.py prints it).
    `default`: the answer for a text whose stop words do not tell it from `default` (a written sentence of
    names and numbers; "En 2010 [2]." to a Spanish reader, where "en" is French, Spanish and Dutch)."""
    scores = sorted(_stop_word_scores(question, READER_LANGS).items(), key=lambda kv: -kv[1])
    if default is not None and (not scores or dict(scores).get(default, 0.0) >= scores[0][1]):
        return default
    if not scores or scores[0][1] == 0 or (len(scores) > 1 and scores[0][1] - scores[1][1] < CLEAR_LEAD):
        return ngram_language(question)
    return scores[0][0]


def ngram_language(text: str) -> str:
    """py3langid's character n-gram guess among READER_LANGS (the model loads on first need, 0.6 s)."""
    return str(_identifier().classify(text)[0])


@cache
def _identifier() -> ModuleType:
    import py3langid

    py3langid.set_languages(list(READER_LANGS))
    return py3langid


def _stop_word_scores(text: str, langs: tuple[str, ...] = LANGS) -> dict[str, float]:
    tokens = [t for t in words(text) if not t.isdigit()]  # stopwords-iso lists digits as Spanish ("75,8%")
    if not tokens:
        return {}
    scores: dict[str, float] = {}
    for lang in langs:
        stop = function_words(lang)
        scores[lang] = sum(1 for t in tokens if t in stop) / len(tokens)
        scores[lang] += 0.05 * sum(1 for c in text.lower() if c in _ACCENT_HINTS.get(lang, ""))
    return scores
