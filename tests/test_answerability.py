"""The answerability decision: the shipped calibrators, one per regime, on the real article."""

from assistant.answerability import FITTED, Answerability, Calibrator, densest, fitted, regime
from assistant.assistant import Assistant
from assistant.quantities import ASKS, holds_number, numbers
from assistant.text import detect_language


def test_shipped_calibrators_load_for_both_regimes() -> None:
    model = fitted(FITTED)
    assert set(model.calibrators) == {"same", "cross"}
    for c in model.calibrators.values():
        assert 0.0 < c.threshold < 1.0 and len(c.weights) == len(c.features)


def test_the_regime_follows_the_question_language(assistant: Assistant) -> None:
    french = assistant.passages("Qui a confirmé le déploiement ?")
    english = assistant.passages("Who confirmed the deployment?")
    assert regime(french, detect_language("Qui a confirmé le déploiement ?")) == "same"
    assert regime(english, detect_language("Who confirmed the deployment?")) == "cross"


def test_each_regime_is_decided_by_its_own_calibrator(assistant: Assistant) -> None:
    passages = assistant.passages("Who confirmed the deployment?")
    always = Calibrator(("margin",), (0.0,), (1.0,), (0.0,), 0.0, 0.4)  # probability 0.5 whatever the question
    never = Calibrator(("margin",), (0.0,), (1.0,), (0.0,), 0.0, 0.6)
    assert Answerability({"same": never, "cross": always}).decide(passages, "en").answerable
    assert not Answerability({"same": always, "cross": never}).decide(passages, "en").answerable
    assert not Answerability({"same": always, "cross": always}).decide(passages, "en", threshold=0.9).answerable


def test_margin_is_measured_against_the_questions_own_followers(assistant: Assistant) -> None:
    passages = assistant.passages("Is Kursk in Russia or in Ukraine?")
    best = densest(passages)
    assert best.signals["margin"] > 0  # the best passage stands above the mean of the next ones
    assert all(p.signals["margin"] < best.signals["margin"] for p in passages if p is not best)


def test_a_question_asking_for_a_date_abstains_when_no_passage_holds_one(assistant: Assistant) -> None:
    """The article quotes Rutte and names Yoon but gives no birth date or election date: across languages
    the topic looks right, and only the missing number tells."""
    for question in ("When was Mark Rutte born?", "¿Cuándo fue elegido presidente Yoon Suk Yeol?"):
        passages = assistant.passages(question)
        assert passages[0].signals["asks_number"] >= ASKS
        assert assistant.ask(question).abstained, question
    # asked for a date the article gives, it answers; asked who, the same topic is no number question
    dated = assistant.ask("When did Ukraine invade the Kursk province?")
    assert not dated.abstained and "6 août" in dated.citations[0].text
    assert assistant.passages("Who did Mark Rutte meet?")[0].signals["asks_number"] < ASKS


def test_numbers_are_found_as_digits_words_months_and_days() -> None:
    assert holds_number("six cent mille soldats russes ont été tués", "fr")
    assert holds_number("Die Kirche wurde im Mai geweiht.", "de")
    assert holds_number("Rutte l'a annoncé mardi.", "fr")
    assert holds_number("Koursk, le 6 août", "fr")
    assert not holds_number("Rutte a rencontré une délégation sud-coréenne.", "fr")
    assert not holds_number("Кремль ничего не сказал.", "ru")  # a language neither package reads: no error


def test_a_number_the_question_names_must_be_in_a_passage(assistant: Assistant) -> None:
    """Digits cross every language: the article gives no 2025 budget, and "le 6 août" has the 6 asked."""
    budget = "Qual é o orçamento militar da OTAN para 2025?"
    best_three = [p for p in assistant.passages(budget) if "coverage" in p.signals]  # the dense order's first
    assert [p.signals["numbers_found"] for p in best_three] == [0.0, 0.0, 0.0]
    assert assistant.ask(budget).abstained
    asked = "Что произошло 6 августа в Курской области?"
    assert any(p.signals.get("numbers_found") for p in assistant.passages(asked))
    assert not assistant.ask(asked).abstained
    assert numbers("500.000 Hugenotten, 600 000 soldats, six cent mille", "fr") >= {"500000", "600000"}


def test_coverage_counts_the_title_shown_with_the_passage() -> None:
    """A Wikipedia-like passage seldom repeats its subject: "Jakob Böhme" is found in its title."""
    from assistant.coverage import Question, coverage
    from assistant.types import Chunk

    passage = Chunk("d:0", "d", "bohme.txt", "Jakob Böhme", 0, 60,
                    "À l'automne, gagné par une forte fièvre, il tombe malade.", "fr")
    untitled = Chunk("d:0", "d", "bohme.txt", "", 0, 60, passage.text, "fr")
    question = Question.of("En quelle année Jakob Böhme tombe-t-il malade ?")
    assert coverage(question, passage) > 0.8  # all but "quelle" and "année", which no passage here holds
    assert coverage(question, untitled) < 0.3


def test_the_fitted_threshold_leaves_room_for_the_number_rules() -> None:
    """The fit allows 5% false abstentions for the whole decision: an answerable question the number rules
    abstain on whatever the calibrator says uses that budget too (PIAF dev was 4 + 1 of 80 before)."""
    from benchmarks.answerability import Row, fit_one

    def row(x: float, answerable: bool, forced: bool = False) -> Row:
        return Row("one set", "same", {"coverage": x, "margin": x, "dense": x}, answerable, forced)

    answerable = [row(0.30 + 0.02 * i, True, forced=(i == 19)) for i in range(20)]
    rows = answerable + [row(0.02 * i, False) for i in range(20)]
    calibrator = fit_one(rows)
    abstained = [r.missing_number or calibrator.probability(r.values) < calibrator.threshold for r in answerable]
    assert sum(abstained) == 1  # the forced one alone: 1 of 20 is the 5%
