"""Deterministic synthetic news corpora, offline: words drawn from wordfreq's general French list.

Used by the scale benchmark and the crash tests. The text is nonsense but has the shape of news:
a title line, paragraphs of sentences of common words, and a few rarer words that make articles distinct.
"""

import random
from pathlib import Path


def vocabulary(lang: str = "fr", size: int = 20_000) -> list[str]:
    from wordfreq import top_n_list

    return [w for w in top_n_list(lang, size) if w.isalpha() and len(w) > 1]


def zipf_weights(n: int) -> list[float]:
    """Cumulative weights 1/rank^0.9: common words common, rare words rare, as in text."""
    total, out = 0.0, []
    for rank in range(1, n + 1):
        total += rank ** -0.9
        out.append(total)
    return out


def article(rng: random.Random, words: list[str], chars: int, cum: list[float] | None = None) -> str:
    """A title and paragraphs of sentences, about `chars` characters."""
    cum = cum or zipf_weights(len(words))

    def sentence() -> str:
        return " ".join(rng.choices(words, cum_weights=cum, k=rng.randint(8, 22))).capitalize() + "."

    title = sentence()[:-1]
    paragraphs: list[str] = []
    size = len(title)
    while size < chars:
        paragraph = " ".join(sentence() for _ in range(rng.randint(2, 5)))
        paragraphs.append(paragraph)
        size += len(paragraph) + 2
    return title + "\n\n" + "\n\n".join(paragraphs) + "\n"


def write_corpus(folder: Path, n: int, chars: int = 2_000, seed: int = 7) -> list[Path]:
    """n articles of about `chars` characters each under folder; the same files for the same seed."""
    rng = random.Random(seed)
    words = vocabulary()
    cum = zipf_weights(len(words))
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        path = folder / f"article-{i:05d}.txt"
        path.write_text(article(rng, words, chars, cum), encoding="utf-8")
        paths.append(path)
    return paths
