"""Passages: exact offsets, sentence ends that respect quotes and abbreviations."""

from assistant.chunking import HARD_MAX_CHARS, chunk, sentences
from assistant.documents import content_id
from assistant.types import Document

from .conftest import ARTICLE


def doc(text: str) -> Document:
    return Document(id=content_id(text), name="t.txt", title="t", path="/t.txt", text=text)


def spans(text: str) -> list[str]:
    return [text[s:e] for s, e in sentences(text)]


def test_every_passage_is_the_exact_slice_of_the_article() -> None:
    article = doc(ARTICLE.read_text(encoding="utf-8"))
    passages = chunk(article)
    assert len(passages) > 10
    for p in passages:
        assert article.text[p.start : p.end] == p.text
    assert [p.start for p in passages] == sorted(p.start for p in passages)
    # passages are about one idea: far smaller than the 1000-character recipe chunks
    assert sum(len(p.text) for p in passages) / len(passages) < 300


def test_closing_french_quote_stays_with_its_sentence() -> None:
    text = "Il a dit : « Nous continuons. » Plus tard, il est parti."
    assert spans(text) == ["Il a dit : « Nous continuons. »", "Plus tard, il est parti."]


def test_abbreviations_and_initials_do_not_end_a_sentence() -> None:
    text = "M. Dupont et Dr. Smith ont vu J. Doe hier. Ils sont partis."
    assert spans(text) == ["M. Dupont et Dr. Smith ont vu J. Doe hier.", "Ils sont partis."]


def test_a_german_ordinal_does_not_end_a_sentence() -> None:
    """XQuAD dev: "bis zum frühen 18." and "Jahrhundert ungefähr 500.000 Hugenotten" were two passages."""
    text = ("Die Hugenotten, die sich dem König nicht unterwarfen, waren bis zum frühen 18. Jahrhundert "
            "ungefähr 500.000 an der Zahl aus Frankreich geflohen. Am 28. Mai 2012 wurde die Stadt vom "
            "tropischen Sturm Beryl mit Winden von bis zu 70 Meilen pro Stunde getroffen.")
    passages = [p.text for p in chunk(doc(text))]
    assert any("frühen 18. Jahrhundert ungefähr 500.000" in p for p in passages)
    assert any("Am 28. Mai 2012" in p for p in passages)
    ending = "Il est parti en 1999 à 12. Puis il est revenu."  # French writes no ordinal so
    assert [ending[s:e] for s, e in sentences(ending, "fr")] == ["Il est parti en 1999 à 12.", "Puis il est revenu."]


def test_lower_case_after_period_and_quotes_inside_do_not_split() -> None:
    text = "Le texte « a été publié. » a déclaré le chef. Fin."
    assert spans(text) == ["Le texte « a été publié. » a déclaré le chef.", "Fin."]


def test_line_breaks_always_end_a_passage() -> None:
    passages = chunk(doc("Le titre dit une chose entière.\n\nUne phrase courte. Une autre."))
    assert passages[0].text == "Le titre dit une chose entière."


def test_a_bare_heading_is_not_a_passage() -> None:
    # 'Minneapolis' as a passage outranked the sentences that answer questions about Minneapolis
    passages = chunk(doc("Minneapolis\n\nPas moins de 16 lacs sont situés dans la ville."))
    assert [p.text for p in passages] == ["Pas moins de 16 lacs sont situés dans la ville."]
    assert [p.text for p in chunk(doc("Jakob Böhme"))] == ["Jakob Böhme"]  # a document of one line keeps it


def test_a_huge_sentence_is_cut_below_the_model_limit() -> None:
    text = ("mot, " * 600).strip()
    passages = chunk(doc(text))
    assert len(passages) > 1
    assert all(len(p.text) <= HARD_MAX_CHARS for p in passages)
    assert all(text[p.start : p.end] == p.text for p in passages)


def test_a_long_sentence_is_never_cut_inside_a_name_or_a_quotation() -> None:
    passages = chunk(doc(ARTICLE.read_text(encoding="utf-8")))
    assert not any(p.text.endswith("Vladimir") for p in passages)  # was cut before 'Poutine.'
    quote = ("Il a dit : « Nous resterons, quoi qu'il arrive, aux côtés de nos alliés, de nos partenaires, "
             "de nos amis, et nous ne céderons rien, ni aujourd'hui, ni demain, ni dans dix ans, car la "
             "sécurité de tous dépend de chacun, et chacun le sait, y compris ceux qui le nient » a conclu M. Dupont.")
    assert len(quote) > HARD_MAX_CHARS
    cut = chunk(doc(quote))
    assert all(p.text.count("«") == p.text.count("»") for p in cut)  # a cut only outside the quotation


def test_a_claim_stays_with_its_speaker() -> None:
    passages = chunk(doc(ARTICLE.read_text(encoding="utf-8")))
    treaty = [p for p in passages if "soutien mutuel" in p.text]
    assert len(treaty) == 1
    assert "ne viole en aucun cas" in treaty[0].text and "Sergueï Lavrov" in treaty[0].text
    assert sum(len(p.text) for p in passages) / len(passages) < 250  # citations stay small on average
