"""The few fixed sentences an answer may contain, in the languages questions are detected in."""

LEAD = {
    "en": "According to the documents:",
    "fr": "D'après les documents :",
    "it": "Secondo i documenti:",
    "es": "Según los documentos:",
    "de": "Laut den Dokumenten:",
    "pt": "De acordo com os documentos:",
    "nl": "Volgens de documenten:",
}
ABSTAIN = {
    "en": "The documents don't say: nothing in them answers this question.",
    "fr": "Les documents ne le disent pas : rien dans ces documents ne répond à cette question.",
    "it": "I documenti non lo dicono: nulla in questi documenti risponde a questa domanda.",
    "es": "Los documentos no lo dicen: nada en estos documentos responde a esta pregunta.",
    "de": "Die Dokumente sagen es nicht: nichts in diesen Dokumenten beantwortet diese Frage.",
    "pt": "Os documentos não o dizem: nada nestes documentos responde a esta pergunta.",
    "nl": "De documenten zeggen het niet: niets in deze documenten beantwoordt deze vraag.",
}
EMPTY_INDEX = {
    "en": "No documents are indexed yet: add some with `assistant ingest PATH` or the upload button.",
    "fr": "Aucun document n'est encore indexé : ajoutez-en avec `assistant ingest CHEMIN` ou le bouton d'envoi.",
}


def lead(lang: str) -> str:
    return LEAD.get(lang, LEAD["en"])


def abstain(lang: str) -> str:
    return ABSTAIN.get(lang, ABSTAIN["en"])


def empty_index(lang: str) -> str:
    return EMPTY_INDEX.get(lang, EMPTY_INDEX["en"])
