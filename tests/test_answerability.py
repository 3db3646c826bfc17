"""The answerability decision: the shipped calibrators, one per regime, on the real article."""

from assistant.answerability import FITTED, Answerability, Calibrator, fitted, regime
from assistant.assistant import Assistant
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
    top = passages[0].signals
    assert top["margin"] > 0  # the best passage stands above the mean of the next ones
    assert passages[1].signals["margin"] < top["margin"]
